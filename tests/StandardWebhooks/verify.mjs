// Verifies callback deliveries as a receiver using the standardwebhooks library would, and says what it decided.
// Input (stdin, JSON): [{ "secret": "whsec_...", "body_base64": "...", "headers": { "webhook-id": "...", ... } }, ...]
// Output (stdout, JSON): one { "verified": true } or { "verified": false, "error": "<name>: <message>" } per input.
// Deciding is left to the calling test: this script only reports what the library said.
import { Webhook } from "standardwebhooks";

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const messages = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const results = messages.map(({ secret, body_base64, headers }) => {
  try {
    // The raw body as a receiver reads it off the wire, and the secret in its default (whsec_ + base64) format.
    new Webhook(secret).verify(Buffer.from(body_base64, "base64"), headers);
    return { verified: true };
  } catch (error) {
    return { verified: false, error: `${error.name}: ${error.message}` };
  }
});
process.stdout.write(JSON.stringify(results));
