#!/usr/bin/env node
// A scripted Anthropic Messages API on loopback, for driving the real Claude
// Code in tests (tests/it/clients/). Usage:
//
//   node messages_api.js SCRIPT.json RECORD.jsonl
//
// It listens on 127.0.0.1 (a free port), prints `PORT <n>` on stdout once it
// accepts connections, and answers until killed.
//
// SCRIPT.json: {"turns": [{"tool": NAME, "input": {...}} | {"text": "..."}]}.
// Each request of the agent's own loop (one that offers tools) gets the next
// turn; once the script is spent, or for any request that offers no tools
// (titles, summaries), the answer is the text "done". A tool turn streams as
// the real API does: message_start, content_block_start (tool_use),
// input_json_delta, content_block_stop, message_delta (stop_reason tool_use),
// message_stop.
//
// A value {"$result": "/json/pointer"} anywhere in a tool turn's input is
// replaced by what the pointer (RFC 6901) finds in the newest tool result of
// the request — its first text block that parses as JSON — or null: a
// script passes on what a tool answered, as a model would, without knowing
// it in advance.
//
// RECORD.jsonl: one line per request, written before the answer is sent, so
// the file is complete once the client has exited:
//   {"n": 1, "method": "POST", "path": "/v1/messages", "turn": 0 | null,
//    "input": {...} | null, "body": {...}}
// `turn` is the script index answered (null: not the agent's loop); `input`
// the tool input sent, references resolved (null: no tool call).
'use strict';

const fs = require('fs');
const http = require('http');

const [scriptPath, recordPath] = process.argv.slice(2);
if (!scriptPath || !recordPath) {
  process.stderr.write('usage: messages_api.js SCRIPT.json RECORD.jsonl\n');
  process.exit(2);
}
const turns = JSON.parse(fs.readFileSync(scriptPath, 'utf8')).turns || [];
let next = 0;
let count = 0;

function sse(res, events) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': 'req_scripted',
  });
  for (const [type, data] of events) {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  }
  res.end();
}

function message(id, model) {
  return {
    id, type: 'message', role: 'assistant', model, content: [],
    stop_reason: null, stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  };
}

// The newest tool result in a request body, as JSON (null: none parses).
function newestResult(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (let m = messages.length - 1; m >= 0; m -= 1) {
    const content = Array.isArray(messages[m].content) ? messages[m].content : [];
    for (let b = content.length - 1; b >= 0; b -= 1) {
      const block = content[b];
      if (block.type !== 'tool_result') continue;
      const texts = typeof block.content === 'string'
        ? [block.content]
        : (block.content || []).map((p) => p.text).filter((t) => typeof t === 'string');
      for (const text of texts) {
        try {
          return JSON.parse(text);
        } catch {
          // not JSON: try the next text
        }
      }
      return null;
    }
  }
  return null;
}

function pointer(value, path) {
  if (path === '') return value;
  let at = value;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !(key in at)) return null;
    at = at[key];
  }
  return at;
}

function resolve(value, result) {
  if (Array.isArray(value)) return value.map((v) => resolve(v, result));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$result' && typeof value.$result === 'string') {
      return pointer(result, value.$result);
    }
    return Object.fromEntries(keys.map((k) => [k, resolve(value[k], result)]));
  }
  return value;
}

function blocks(turn, id) {
  if (turn.tool) {
    return {
      stop: 'tool_use',
      start: { type: 'tool_use', id: `toolu_${id}`, name: turn.tool, input: {} },
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(turn.input || {}) },
      whole: { type: 'tool_use', id: `toolu_${id}`, name: turn.tool, input: turn.input || {} },
    };
  }
  const text = turn.text ?? 'done';
  return {
    stop: 'end_turn',
    start: { type: 'text', text: '' },
    delta: { type: 'text_delta', text },
    whole: { type: 'text', text },
  };
}

function answer(req, res, body) {
  if (req.url.startsWith('/v1/messages/count_tokens')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ input_tokens: JSON.stringify(body).length >> 2 }));
    return { index: null, input: null };
  }
  if (!req.url.startsWith('/v1/messages')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: req.url } }));
    return { index: null, input: null };
  }
  const loop = Array.isArray(body.tools) && body.tools.length > 0;
  const index = loop && next < turns.length ? next++ : null;
  let turn = index === null ? { text: 'done' } : turns[index];
  if (turn.tool) {
    turn = { tool: turn.tool, input: resolve(turn.input || {}, newestResult(body)) };
  }
  const id = `${count}`;
  const b = blocks(turn, id);
  const model = body.model || 'claude-scripted';
  if (body.stream) {
    sse(res, [
      ['message_start', { message: message(`msg_${id}`, model) }],
      ['content_block_start', { index: 0, content_block: b.start }],
      ['content_block_delta', { index: 0, delta: b.delta }],
      ['content_block_stop', { index: 0 }],
      ['message_delta', { delta: { stop_reason: b.stop, stop_sequence: null }, usage: { output_tokens: 1 } }],
      ['message_stop', {}],
    ]);
  } else {
    const m = message(`msg_${id}`, model);
    m.content = [b.whole];
    m.stop_reason = b.stop;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(m));
  }
  return { index, input: turn.tool ? turn.input : null };
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    count += 1;
    const raw = Buffer.concat(chunks).toString('utf8');
    let body = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      body = { unparsed: raw };
    }
    // The answer is composed into a buffer first so that the record is on
    // disk before the client can act on the answer.
    const buffered = [];
    const sink = {
      writeHead: (...a) => buffered.push(['writeHead', a]),
      write: (...a) => buffered.push(['write', a]),
      end: (...a) => buffered.push(['end', a]),
    };
    const { index, input } = answer(req, sink, body);
    const line = { n: count, method: req.method, path: req.url, turn: index, input, body };
    fs.appendFileSync(recordPath, JSON.stringify(line) + '\n');
    for (const [m, a] of buffered) res[m](...a);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
