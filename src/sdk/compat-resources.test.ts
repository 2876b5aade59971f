import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userText } from '../core/request.js';
import { tempDir } from '../testing/capture-io.js';
import { ScriptedProvider, textTurn } from '../testing/scripted-provider.js';
import { Nodex } from './nodex.js';

let dir: ReturnType<typeof tempDir>;
let clients: Nodex[] = [];
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const client of clients) client.close();
  clients = [];
  dir.cleanup();
});

function client(options: ConstructorParameters<typeof Nodex>[0] = {}): Nodex {
  const created = new Nodex({ env: { HOME: dir.path, NODEX_HOME: join(dir.path, '.nodex') }, ...options });
  clients.push(created);
  return created;
}

describe('files and vector stores through the client', () => {
  it('stores files locally and searches vector stores with openai-node argument order', async () => {
    const nodex = client();
    const refunds = await nodex.files.create({
      file: Buffer.from('Refunds are issued within 14 days of purchase.\n\nShipping takes 3 days.'),
      filename: 'policy.md',
      purpose: 'assistants',
    });
    const other = await nodex.files.create({
      file: Buffer.from('Our office dog is called Biscuit.'),
      filename: 'dog.md',
      purpose: 'assistants',
    });
    expect(refunds).toMatchObject({
      object: 'file',
      filename: 'policy.md',
      purpose: 'assistants',
      bytes: 70,
    });
    expect((await nodex.files.content(refunds.id)).toString()).toContain('14 days');
    const store = await nodex.vectorStores.create({ name: 'policies', file_ids: [refunds.id, other.id] });
    const hits = await nodex.vectorStores.search(store.id, { query: 'how long do refunds take' });
    expect(hits.data[0]).toMatchObject({ file_id: refunds.id, filename: 'policy.md', score: 1 });
    expect(hits.data[0]?.content[0]?.text).toContain('Refunds are issued within 14 days');
    expect(hits.data.some((hit) => hit.file_id === other.id)).toBe(false);
    expect(await nodex.vectorStores.files.retrieve(other.id, { vector_store_id: store.id })).toMatchObject({
      object: 'vector_store.file',
      vector_store_id: store.id,
    });
    await nodex.vectorStores.files.delete(other.id, { vector_store_id: store.id });
    expect((await nodex.vectorStores.files.list(store.id)).data.map((f) => f.id)).toEqual([refunds.id]);
    await expect(nodex.files.retrieve('file-missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('uses compatStorageDir, and creates nothing until a feature needs it', async () => {
    const custom = join(dir.path, 'compat-here');
    const nodex = client({ compatStorageDir: custom, providers: [new ScriptedProvider([textTurn('x')])] });
    await nodex.responses.create({ model: 'scripted-model', input: 'x', store: false });
    expect(existsSync(custom)).toBe(false);
    await nodex.files.create({ file: 'hello', filename: 'a.txt', purpose: 'user_data' });
    expect(existsSync(custom)).toBe(true);
  });
});

describe('previous_response_id emulation', () => {
  it('chains stored turns into the next request’s input; store: false keeps nothing', async () => {
    const provider = new ScriptedProvider([
      textTurn('first answer', 'resp_a'),
      textTurn('second answer', 'resp_b'),
      textTurn('third', 'resp_c'),
    ]);
    const nodex = client({ providers: [provider] });
    const first = await nodex.responses.create({ model: 'scripted-model', input: 'first question' });
    const second = await nodex.responses.create({
      model: 'scripted-model',
      input: 'second question',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe('resp_a');
    const answer = (text: string) => ({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text }],
    });
    expect(provider.requests[1]?.input).toEqual([
      userText('first question'),
      answer('first answer'),
      userText('second question'),
    ]);
    await nodex.responses.create({
      model: 'scripted-model',
      input: 'third question',
      previous_response_id: second.id,
      store: false,
    });
    expect(provider.requests[2]?.input).toEqual([
      userText('first question'),
      answer('first answer'),
      userText('second question'),
      answer('second answer'),
      userText('third question'),
    ]);
    await expect(
      nodex.responses.create({ model: 'scripted-model', input: 'x', previous_response_id: 'resp_c' }),
    ).rejects.toMatchObject({ code: 'not_found', param: 'previous_response_id' });
  });

  it('an unknown previous_response_id fails before anything is sent', async () => {
    const provider = new ScriptedProvider([]);
    await expect(
      client({ providers: [provider] }).responses.create({
        model: 'scripted-model',
        input: 'x',
        previous_response_id: 'resp_nope',
      }),
    ).rejects.toMatchObject({ code: 'not_found', statusCode: 404 });
    expect(provider.requests).toHaveLength(0);
  });
});
