// A streaming parser of text/event-stream (the WHATWG "server-sent events" rules), fed chunks of text as they
// arrive from fetch(): EventSource cannot send an Authorization header. Pure: no DOM, no network.

export class SseParser {
  constructor() {
    this.buffer = '';
    this.skipLf = false; // a chunk ended with CR: a LF at the start of the next one belongs to that line end
    this.reset();
  }

  reset() {
    this.event = '';
    this.data = [];
    this.hasData = false;
  }

  /** Feeds a chunk of text; returns the events completed by it: [{event, data, id}]. */
  push(chunk) {
    const out = [];
    let text = this.buffer + chunk;
    this.buffer = '';
    let start = 0;
    if (this.skipLf && text.startsWith('\n')) {
      start = 1;
    }
    this.skipLf = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) {
        continue;
      }
      this.line(text.slice(start, i), out);
      if (c === 13) {
        if (i + 1 === text.length) {
          this.skipLf = true;
        } else if (text.charCodeAt(i + 1) === 10) {
          i++;
        }
      }
      start = i + 1;
    }
    this.buffer = text.slice(start);
    return out;
  }

  /** The stream ended: an event without its blank line is discarded, as the standard says. */
  end() {
    this.buffer = '';
    this.reset();
    return [];
  }

  line(line, out) {
    if (line === '') {
      if (this.hasData) {
        out.push({ event: this.event || 'message', data: this.data.join('\n'), id: this.lastId ?? null });
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) {
      return; // a comment (keep-alive)
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'event') {
      this.event = value;
    } else if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'id' && !value.includes('\0')) {
      this.lastId = value;
    }
    // retry and unknown fields are ignored
  }
}

/** Parses a whole stream at once (tests, small bodies). */
export function parseSse(text) {
  const p = new SseParser();
  return p.push(text);
}
