// A small CDK app: one Node.js function (code from an asset directory)
// behind a LambdaRestApi and an HttpApi with a Lambda integration. The e2e
// test synthesizes it (`node app.js OUTDIR`, no CDK CLI needed) and serves
// the cloud assembly with `tollgate serve --template OUTDIR`.
const path = require('path');
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const apigw = require('aws-cdk-lib/aws-apigateway');
const apigwv2 = require('aws-cdk-lib/aws-apigatewayv2');
const { HttpLambdaIntegration } = require('aws-cdk-lib/aws-apigatewayv2-integrations');

const app = new cdk.App({ outdir: process.argv[2] || path.join(__dirname, 'cdk.out') });
const stack = new cdk.Stack(app, 'TollgateCdkApp');
const fn = new lambda.Function(stack, 'Hello', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(path.join(__dirname, 'fn')),
});
new apigw.LambdaRestApi(stack, 'RestApi', { handler: fn });
const http = new apigwv2.HttpApi(stack, 'HttpApi', {
  defaultIntegration: new HttpLambdaIntegration('HelloIntegration', fn),
});
new cdk.CfnOutput(stack, 'HttpUrl', { value: http.apiEndpoint });
app.synth();
