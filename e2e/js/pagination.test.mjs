// Pagination of GetRestApis and GetResources through the SDK paginators
// and by hand with `position`.
//
// Other suites run at the same time against the same gateway and create
// REST APIs of their own, so the checks look at this suite's APIs: each
// must appear exactly once, in the same order on every pass, and no id may
// repeat across pages. This is the only suite that deletes REST APIs, so
// nothing disappears under a page boundary while another suite pages.

import assert from "node:assert/strict";
import { describe, it, before } from "node:test";

import {
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  paginateGetResources,
  paginateGetRestApis,
} from "@aws-sdk/client-api-gateway";

import { client, expectError, uid } from "./helpers.mjs";

const gw = client();

// pageByHand follows `position` until it is absent; it returns the pages.
async function pageByHand(send, limit) {
  const pages = [];
  let position;
  do {
    const out = await send({ limit, position });
    pages.push(out.items);
    position = out.position;
    if (position !== undefined) {
      assert.equal(typeof position, "string");
      assert.ok(position.length > 0, "position is never empty");
      assert.equal(out.items.length, limit, "every page but the last is full");
    }
    assert.ok(pages.length < 1000, "pagination does not end");
  } while (position !== undefined);
  return pages;
}

function assertNoRepeats(ids, what) {
  const seen = new Set();
  for (const id of ids) {
    assert.ok(!seen.has(id), `${what}: ${id} returned twice`);
    seen.add(id);
  }
}

describe("pagination", () => {
  const prefix = `page-${uid()}-`;
  const mine = new Set();

  before(async () => {
    // Sequentially, so that creation order is known too.
    for (let i = 0; i < 30; i++) {
      const api = await gw.send(new CreateRestApiCommand({ name: `${prefix}${String(i).padStart(2, "0")}` }));
      mine.add(api.id);
    }
    assert.equal(mine.size, 30);
  });

  it("GetRestApis: the default page size is 25", async () => {
    const first = await gw.send(new GetRestApisCommand({}));
    assert.equal(first.items.length, 25);
    assert.ok(first.position, "a position follows a full page");
    const second = await gw.send(new GetRestApisCommand({ position: first.position }));
    assert.ok(second.items.length >= 5);
    assertNoRepeats([...first.items, ...second.items].map((a) => a.id), "default pages");
  });

  it("GetRestApis: paginator and position agree, each id once, stable order", async () => {
    const viaPaginator = [];
    let pages = 0;
    for await (const page of paginateGetRestApis({ client: gw, pageSize: 7 }, {})) {
      pages++;
      assert.ok(page.items.length <= 7);
      viaPaginator.push(...page.items.map((a) => a.id));
    }
    assert.ok(pages >= 5, `30 APIs in pages of 7 take at least 5 pages, got ${pages}`);
    assertNoRepeats(viaPaginator, "paginator");

    const byHand = (await pageByHand((q) => gw.send(new GetRestApisCommand(q)), 7)).flat().map((a) => a.id);
    assertNoRepeats(byHand, "position");

    const mineVia = viaPaginator.filter((id) => mine.has(id));
    const mineByHand = byHand.filter((id) => mine.has(id));
    assert.equal(mineVia.length, 30, "every API of this suite is listed by the paginator");
    assert.deepEqual(mineByHand, mineVia, "both passes list the APIs in the same order");

    // A third pass with another page size lists them in the same order too.
    const big = (await pageByHand((q) => gw.send(new GetRestApisCommand(q)), 500)).flat().map((a) => a.id);
    assert.deepEqual(big.filter((id) => mine.has(id)), mineVia);

    // limit above the maximum is served, not refused.
    const all = await gw.send(new GetRestApisCommand({ limit: 100000 }));
    assert.ok(all.items.length >= 30);
  });

  it("GetResources: paginator and position over many resources", async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `${prefix}resources` }));
    const want = new Map([[api.rootResourceId, "/"]]);
    // 40 resources: 20 children of the root, each with one child.
    for (let i = 0; i < 20; i++) {
      const a = await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: `r${i}` }));
      const b = await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: a.id, pathPart: `{id${i}}` }));
      want.set(a.id, `/r${i}`).set(b.id, `/r${i}/{id${i}}`);
    }
    assert.equal(want.size, 41);

    const def = await gw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.equal(def.items.length, 25, "default page size is 25");
    assert.ok(def.position);

    const viaPaginator = [];
    for await (const page of paginateGetResources({ client: gw, pageSize: 7 }, { restApiId: api.id, embed: ["methods"] })) {
      viaPaginator.push(...page.items);
    }
    const byHand = (await pageByHand((q) => gw.send(new GetResourcesCommand({ restApiId: api.id, ...q })), 7)).flat();
    for (const [label, list] of [["paginator", viaPaginator], ["position", byHand]]) {
      assert.equal(list.length, 41, `${label}: every resource listed`);
      assertNoRepeats(list.map((r) => r.id), label);
      for (const r of list) {
        assert.equal(r.path, want.get(r.id), `${label}: path of ${r.id}`);
      }
    }
    assert.deepEqual(byHand.map((r) => r.id), viaPaginator.map((r) => r.id), "same order on both passes");
  });

  it("an invalid position is refused", async () => {
    await expectError(gw.send(new GetRestApisCommand({ position: "not a position!" })), {
      name: "BadRequestException",
      status: 400,
    });
  });

  it("deleting every API of a page before asking for the next page skips none", async () => {
    // The usual clean-up loop: list a page, delete what it lists, follow
    // position. The position must still lead to the APIs not yet seen.
    const batch = new Set();
    for (let i = 0; i < 12; i++) {
      batch.add((await gw.send(new CreateRestApiCommand({ name: `${prefix}cleanup-${i}` }))).id);
    }
    const seen = new Set();
    let position;
    let pages = 0;
    do {
      const out = await gw.send(new GetRestApisCommand({ limit: 5, position }));
      pages++;
      assert.ok(pages < 200, "pagination does not end");
      for (const a of out.items) {
        assert.ok(!seen.has(a.id), `${a.id} listed twice`);
        seen.add(a.id);
        if (batch.has(a.id)) {
          await gw.send(new DeleteRestApiCommand({ restApiId: a.id }));
        }
      }
      position = out.position;
    } while (position !== undefined);
    const missed = [...batch].filter((id) => !seen.has(id));
    assert.deepEqual(missed, [], "APIs never listed while deleting page by page");
  });

  it("a resource deleted at a page boundary does not shift the next page", async () => {
    const api = await gw.send(new CreateRestApiCommand({ name: `${prefix}boundary` }));
    for (let i = 0; i < 9; i++) {
      await gw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: `p${i}` }));
    }
    const all = (await gw.send(new GetResourcesCommand({ restApiId: api.id, limit: 500 }))).items.map((r) => r.id);
    const first = await gw.send(new GetResourcesCommand({ restApiId: api.id, limit: 4 }));
    const last = first.items.at(-1);
    await gw.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: last.id }));
    const second = await gw.send(new GetResourcesCommand({ restApiId: api.id, limit: 4, position: first.position }));
    assert.deepEqual(
      second.items.map((r) => r.id),
      all.slice(4, 8),
      "the page after a deleted boundary item starts right after it",
    );
  });

  it("DeleteRestApi removes the APIs from the listing", async () => {
    const ids = [...mine];
    for (const id of ids.slice(0, 10)) {
      const out = await gw.send(new DeleteRestApiCommand({ restApiId: id }));
      assert.equal(out.$metadata.httpStatusCode, 202);
    }
    await expectError(gw.send(new GetRestApiCommand({ restApiId: ids[0] })), {
      name: "NotFoundException",
      status: 404,
      message: `Invalid API identifier specified 000000000000:${ids[0]}`,
    });
    const listed = [];
    for await (const page of paginateGetRestApis({ client: gw, pageSize: 4 }, {})) {
      listed.push(...page.items.map((a) => a.id));
    }
    assertNoRepeats(listed, "after delete");
    const left = listed.filter((id) => mine.has(id));
    assert.deepEqual(new Set(left), new Set(ids.slice(10)));
  });
});
