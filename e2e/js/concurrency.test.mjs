// Concurrent management calls: the SDK's default client keeps many
// connections open and the gateway must serialise conflicting writes the
// way AWS does (one winner, the others get the ordinary error), never
// answer 500 or lose a write.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteResourceCommand,
  GetResourcesCommand,
  GetStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  CreateDeploymentCommand,
  TagResourceCommand,
  GetTagsCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-api-gateway";

import { apiArn, client, uid } from "./helpers.mjs";

// No retries: a throttled or failed call must show, not be hidden.
const gw = client({ maxAttempts: 1 });

describe("concurrent writes", () => {
  it("the same path part created 20 times at once: one resource, 19 conflicts", async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `conc-${uid()}` }));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "same" })),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason);
    assert.equal(ok.length, 1, `one winner; errors: ${failed.map((e) => `${e.name}: ${e.message}`).join(" | ")}`);
    for (const e of failed) {
      assert.equal(e.name, "ConflictException", `${e.name}: ${e.message}`);
      assert.equal(e.$metadata.httpStatusCode, 409);
      assert.equal(e.message, "Another resource with the same parent already has this name: same");
    }
    const all = await gw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.deepEqual(all.items.map((r) => r.path).sort(), ["/", "/same"]);
  });

  it("two variable path parts created at once: one wins", async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `conc-${uid()}` }));
    const results = await Promise.allSettled(
      ["{a}", "{b}", "{c}", "{d+}"].map((pathPart) =>
        gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart })),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    assert.equal(ok.length, 1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      assert.equal(r.reason.name, "BadRequestException", r.reason.message);
      assert.match(r.reason.message, /^A sibling \(\{[a-d]\+?\}\) of this resource already has a variable path part -- only one is allowed$/);
    }
    const all = await gw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.equal(all.items.length, 2);
  });

  it("40 different resources created at once all exist afterwards", async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `conc-${uid()}` }));
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: `r${i}` })),
      ),
    );
    assert.equal(new Set(made.map((r) => r.id)).size, 40, "ids are unique");
    const all = await gw.send(new GetResourcesCommand({ restApiId: api.id, limit: 500 }));
    assert.equal(all.items.length, 41);

    // Deleting them concurrently while creating children elsewhere.
    const half = made.slice(0, 20);
    await Promise.all([
      ...half.map((r) => gw.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: r.id }))),
      ...made.slice(20).map((r) => gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: r.id, pathPart: "child" }))),
    ]);
    const after = await gw.send(new GetResourcesCommand({ restApiId: api.id, limit: 500 }));
    assert.equal(after.items.length, 1 + 20 + 20);
  });

  it("concurrent stage updates and tag writes are all applied", async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `conc-${uid()}` }));
    await gw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorizationType: "NONE" }));
    await gw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", type: "MOCK" }));
    await gw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "s" }));
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        gw.send(
          new UpdateStageCommand({
            restApiId: api.id,
            stageName: "s",
            patchOperations: [{ op: "replace", path: `/variables/v${i}`, value: `x${i}` }],
          }),
        ),
      ),
    );
    const st = await gw.send(new GetStageCommand({ restApiId: api.id, stageName: "s" }));
    assert.equal(Object.keys(st.variables).length, 25, "no update was lost");

    await Promise.all(
      Array.from({ length: 25 }, (_, i) => gw.send(new TagResourceCommand({ resourceArn: apiArn(api.id), tags: { [`k${i}`]: `v${i}` } }))),
    );
    const tags = await gw.send(new GetTagsCommand({ resourceArn: apiArn(api.id) }));
    assert.equal(Object.keys(tags.tags).length, 25, "no tag was lost");
  });
});
