import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

interface Issued {
  ticketId: string;
  qr: { png: string; svg: string };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DAY = { from: '2026-03-01T00:00:00Z', until: '2026-03-02T00:00:00Z' };
const NEVER_ISSUED = '00112233445566778899aabb';

describe('ticket QR images', () => {
  let h: ApiHarness;
  before(async () => {
    h = await apiHarness();
  });
  after(() => h.close());

  const issue = async (): Promise<Issued> => (await h.operator({ method: 'POST', url: '/api/tickets', payload: { product: 'single', ...DAY } })).json<Issued>();
  const bare = (url: string) => url.replace(/\?.*$/, '');
  const withToken = (url: string, token: string) => h.app.inject({ url, headers: { authorization: `Bearer ${token}` } });

  it('serves the QR once with the retrieval secret of the issue answer, uncached, then no more', async () => {
    const issued = await issue();
    const png = await h.app.inject({ url: issued.qr.png });
    assert.equal(png.statusCode, 200);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual(png.rawPayload.subarray(0, 8), PNG_SIGNATURE);
    assert.equal(png.headers['cache-control'], 'no-store');
    const again = await h.app.inject({ url: issued.qr.svg });
    assert.equal(again.statusCode, 404, 'the secret is used up, for either format');
    assert.deepEqual(again.json(), { error: 'Not Found', message: 'no ticket QR for that id and secret' });
  });

  it('refuses the ticket id alone with 401 and says which credential works', async () => {
    const issued = await issue();
    const response = await h.app.inject({ url: bare(issued.qr.svg) });
    assert.equal(response.statusCode, 401);
    assert.match(response.json<{ message: string }>().message, /retrieval secret .*\?secret=.* or an API token with the read or issue scope/);
    assert.equal((await h.app.inject({ url: bare(issued.qr.svg) })).statusCode, 401, 'the same for any id: nothing about existence');
    assert.equal((await h.app.inject({ url: `/api/tickets/${NEVER_ISSUED}/qr.svg` })).statusCode, 401);
  });

  it("answers the same 404 for a wrong secret, another ticket's secret and a ticket never issued", async () => {
    const first = await issue();
    const second = await issue();
    const secondSecret = second.qr.svg.split('?secret=')[1]!;
    const answers = await Promise.all([
      h.app.inject({ url: `${bare(first.qr.svg)}?secret=${'A'.repeat(43)}` }),
      h.app.inject({ url: `${bare(first.qr.svg)}?secret=${secondSecret}` }),
      h.app.inject({ url: `/api/tickets/${NEVER_ISSUED}/qr.svg?secret=${secondSecret}` }),
    ]);
    for (const answer of answers) assert.deepEqual([answer.statusCode, answer.json()], [404, { error: 'Not Found', message: 'no ticket QR for that id and secret' }]);
    assert.equal((await h.app.inject({ url: first.qr.svg })).statusCode, 200, 'wrong guesses did not use up the real secret');
    assert.equal((await h.app.inject({ url: second.qr.svg })).statusCode, 200);
  });

  it('serves the QR to a token with the read or issue scope as often as asked, not to one without', async () => {
    const issued = await issue();
    for (const scope of ['read', 'issue', 'admin'] as const) {
      const token = await h.tokenWith([scope]);
      assert.equal((await withToken(bare(issued.qr.svg), token)).statusCode, 200, scope);
      assert.equal((await withToken(bare(issued.qr.png), token)).statusCode, 200, scope);
    }
    const deny = await withToken(bare(issued.qr.svg), await h.tokenWith(['deny', 'command']));
    assert.equal(deny.statusCode, 403);
    assert.match(deny.json<{ message: string }>().message, /"read" or "issue" scope; this token has deny, command/);
    assert.equal((await withToken(bare(issued.qr.svg), 'fgw_unknown')).statusCode, 401);
    assert.equal((await withToken(`/api/tickets/${NEVER_ISSUED}/qr.svg`, await h.tokenWith(['read']))).statusCode, 404);
    assert.equal((await h.app.inject({ url: issued.qr.svg })).statusCode, 200, 'token reads left the secret unused');
  });

  it('answers 400 for an id that is not hex or a secret that is too long', async () => {
    assert.equal((await h.app.inject({ url: '/api/tickets/not-a-ticket/qr.svg?secret=x' })).statusCode, 400);
    assert.equal((await h.app.inject({ url: `/api/tickets/${NEVER_ISSUED}/qr.svg?secret=${'x'.repeat(200)}` })).statusCode, 400);
  });
});
