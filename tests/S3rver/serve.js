'use strict';
// Runs s3rver (the npm package, unchanged) for Easel's tests: on 127.0.0.1, a port of the system's choosing, the
// buckets named on the command line made at start. Prints one line {"port": N} once it listens; stops on stdin's end
// (the test run that started it went away) or SIGTERM.
//
//   node serve.js --directory DIR --bucket NAME [--bucket NAME...] [--refuse-writes NAME...]
//
// --refuse-writes: the bucket answers every object write (PUT, POST, DELETE) with 403 AccessDenied in S3's XML error
// shape, as AWS S3 does for a bucket whose policy denies s3:PutObject/s3:DeleteObject to the caller, while reads and
// the bucket check (HEAD) are served as usual. s3rver has no bucket policies, so this one Koa middleware placed before
// its own is the test's only addition (path-style requests, which the tests use).
const S3rver = require('s3rver');

function parse(argv) {
  const options = { directory: null, buckets: [], refusing: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--directory') options.directory = value;
    else if (flag === '--bucket') options.buckets.push(value);
    else if (flag === '--refuse-writes') options.refusing.push(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (!options.directory) throw new Error('--directory is required');
  return options;
}

function refuseWrites(refusing) {
  return async (ctx, next) => {
    const bucket = decodeURIComponent(ctx.path.split('/')[1] || '');
    const objectPath = ctx.path.split('/').slice(2).join('/');
    const write = ['PUT', 'POST', 'DELETE'].includes(ctx.method) && objectPath.length > 0;
    if (write && refusing.includes(bucket)) {
      ctx.status = 403;
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>' +
        `<Resource>${ctx.path}</Resource><RequestId>easel-test</RequestId></Error>`;
      return;
    }
    await next();
  };
}

async function main() {
  const options = parse(process.argv.slice(2));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: options.directory,
    configureBuckets: [...options.buckets, ...options.refusing].map(name => ({ name })),
  });
  // Koa composes its middleware when it starts listening: placed first, the refusal runs before s3rver's routes.
  server.middleware.unshift(refuseWrites(options.refusing));
  const address = await server.run();
  process.stdout.write(JSON.stringify({ port: address.port }) + '\n');
  const stop = () => server.close().finally(() => process.exit(0));
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
