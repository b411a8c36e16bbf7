// Response streaming test functions (lambda_stream_test.go and
// js/lambda-runtimes.test.mjs): handlers stream.http and stream.raw. Both
// write a first piece, then wait until the file named by the event's
// gate exists before they write the rest: a client that gets the first
// piece before it creates the file proves that it did not wait for the
// end of the function.
import fs from "node:fs";

const waitFor = async (path) => {
  while (path && !fs.existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 5));
};

// http answers API Gateway (responseTransferMode STREAM): the prelude, a
// first line, then the rest once ?gate exists. ?hang=1 never finishes.
export const http = awslambda.streamifyResponse(async (event, responseStream) => {
  const q = event.queryStringParameters ?? {};
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201,
    headers: { "Content-Type": "text/plain", "X-Streamed": "yes" },
    cookies: ["flavour=oat; Path=/", "size=large"],
  });
  stream.write(`first ${event.httpMethod} ${event.path}\n`);
  if (q.hang) {
    await new Promise(() => setInterval(() => {}, 1000));
  }
  await waitFor(q.gate);
  stream.write("second\n");
  stream.end("done\n");
});

// raw streams event.chunks (InvokeWithResponseStream), waiting for
// event.gate after the first; event.fail then throws.
export const raw = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType("text/plain");
  for (const [i, chunk] of (event.chunks ?? []).entries()) {
    responseStream.write(chunk);
    if (i === 0) await waitFor(event.gate);
  }
  if (event.fail) throw new Error(event.fail);
  responseStream.end();
});
