/**
 * The dashboard's own script, run in a VM against the real API (app.inject as
 * its fetch) with a small stand-in for the DOM: what an operator with a
 * read-only token sees, and how an action asks for a token with more scope.
 */
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { waitUntil } from '../../runtime/testing/wait.ts';
import { apiHarness, type ApiHarness } from './api-test-fixture.ts';

class FakeNode {
  children: FakeNode[] = [];
  hidden = false;
  textContent = '';
  value = '';
  className = '';
  src = '';
  alt = '';
  colSpan = 1;
  /** What FormData reads from a form. */
  fields: Record<string, string> = {};
  elements: Record<string, { value: string }> = { from: { value: '' }, until: { value: '' } };
  listeners: Record<string, (event: unknown) => unknown> = {};
  append(...nodes: FakeNode[]): void {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes: FakeNode[]): void {
    this.children = nodes;
  }
  addEventListener(type: string, listener: (event: unknown) => unknown): void {
    this.listeners[type] = listener;
  }
  focus(): void {}
  /** Every text below this node. */
  text(): string {
    return [this.textContent, ...this.children.map((child) => child.text())].join(' ');
  }
}

class FakePage {
  readonly nodes = new Map<string, FakeNode>();
  readonly storage = new Map<string, string>();
  constructor(private readonly h: ApiHarness) {}
  $ = (id: string): FakeNode => {
    if (!this.nodes.has(id)) this.nodes.set(id, new FakeNode());
    return this.nodes.get(id)!;
  };
  run(html: string): void {
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const h = this.h;
    const storage = this.storage;
    runInNewContext(script, {
      document: { getElementById: this.$, createElement: () => new FakeNode() },
      Node: FakeNode,
      sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v), removeItem: (k: string) => void storage.delete(k) },
      FormData: class { constructor(private readonly form: FakeNode) {} get = (name: string) => this.form.fields[name] ?? ''; },
      fetch: async (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
        const r = await h.app.inject({ method: (init.method ?? 'GET') as 'GET', url: path, headers: init.headers ?? {}, ...(init.body !== undefined && { payload: init.body }) });
        return { status: r.statusCode, ok: r.statusCode < 400, headers: { get: (name: string) => r.headers[name] ?? null }, json: async () => r.json(), text: async () => r.body };
      },
      setTimeout: () => 0, // the next poll is not needed: each test drives the page itself
      clearTimeout: () => undefined,
      URLSearchParams,
      Date,
      Math,
      Number,
      String,
    });
  }
  async submit(formId: string, fields: Record<string, string> = {}): Promise<void> {
    const form = this.$(formId);
    form.fields = fields;
    await form.listeners.submit?.({ preventDefault: () => undefined, target: form });
  }
}

const ISSUE = { product: 'day', class: 'adult', zones: '', modes: '', from: '2026-03-01T00:00', until: '2026-03-02T00:00' };

describe('dashboard page with scoped tokens', () => {
  let h: ApiHarness;
  let html: string;
  before(async () => {
    h = await apiHarness();
    html = (await h.app.inject({ url: '/' })).body;
  });
  after(() => h.close());

  const signedIn = async (scopes: Parameters<ApiHarness['tokenWith']>[0]): Promise<FakePage> => {
    const page = new FakePage(h);
    page.storage.set('faregate-token', await h.tokenWith(scopes));
    page.run(html);
    await waitUntil('the first poll', () => page.$('status').textContent !== '');
    return page;
  };

  it('shows everything with a read-only token', async () => {
    const page = await signedIn(['read']);
    assert.match(page.$('status').textContent, /^updated /);
    assert.equal(page.$('app').hidden, false);
    assert.match(page.$('devices').text(), /Device/);
  });

  it('asks for a token with more scope when an action is forbidden, keeps the page, and issues with the token given', async () => {
    const page = await signedIn(['read']);
    await page.submit('issue-form', ISSUE);
    assert.match(page.$('issue-result').text(), /Not allowed with this token: .*"issue" scope/);
    assert.equal(page.$('elevate').hidden, false);
    assert.match(page.$('elevate-reason').textContent, /"issue" scope/);
    assert.equal(page.$('login').hidden, true, 'still signed in');

    page.$('action-token').value = await h.tokenWith(['issue', 'deny']);
    await page.submit('elevate-form');
    assert.equal(page.$('elevate').hidden, true);
    await page.submit('issue-form', ISSUE);
    assert.match(page.$('issue-result').text(), /FT1:/);
    const img = page.$('qr').children[0];
    assert.match(img?.src ?? '', /\/qr\.svg\?secret=/);
    assert.equal((await h.app.inject({ url: img!.src })).statusCode, 200, 'the image loads without a header');
    await page.submit('deny-form', { ticket: '00112233445566778899aabb', reason: '' });
    assert.match(page.$('deny-result').text(), /Denied: deny list v\d+/);
  });

  it('asks again when the action token is refused, without signing out', async () => {
    const page = await signedIn(['read']);
    page.storage.set('faregate-action-token', 'fgw_revoked');
    await page.submit('deny-form', { ticket: '00112233445566778899aabb', reason: '' });
    assert.match(page.$('deny-result').text(), /the action token was refused/);
    assert.equal(page.$('elevate').hidden, false);
    assert.equal(page.$('login').hidden, true);
  });

  it('says what a token without read cannot show instead of breaking', async () => {
    const page = await signedIn(['issue']);
    assert.match(page.$('status').textContent, /^this token cannot read everything here: .*"read" scope/);
  });
});
