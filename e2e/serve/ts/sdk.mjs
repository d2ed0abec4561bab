// Drives the official TypeScript SDK against NEXUS_URL with NEXUS_KEY and prints one JSON
// document of what it saw. The Go test (sdk_ts_test.go) checks it; this script asserts nothing.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: process.env.NEXUS_URL, apiKey: process.env.NEXUS_KEY, maxRetries: 0 });
const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Hello from the TypeScript SDK' }],
};
const out = {};

const msg = await client.messages.create(params);
out.message = { text: msg.content[0]?.text, stop_reason: msg.stop_reason, usage: msg.usage };

for (const scenario of ['text', 'tool_use']) {
  const stream = client.messages.stream(params, { headers: { 'x-fake-scenario': scenario } });
  const events = [];
  for await (const ev of stream) events.push(ev.type);
  const final = await stream.finalMessage();
  out['stream_' + scenario] = { events, stop_reason: final.stop_reason, usage: final.usage, blocks: final.content.map((b) => b.type) };
}

out.count = await client.messages.countTokens({ model: params.model, messages: params.messages });
const models = await client.models.list();
out.models = models.data.map((m) => m.id);

out.errors = {};
for (const status of [400, 401, 529]) {
  try {
    await client.messages.create(params, { headers: { 'x-fake-scenario': 'error:' + status } });
    out.errors[status] = { ok: true };
  } catch (err) {
    out.errors[status] = {
      class: err.constructor.name,
      status: err.status,
      type: err.error?.error?.type,
      api_error: err instanceof Anthropic.APIError,
    };
  }
}
console.log(JSON.stringify(out));
