// Sign-in in a real browser: Debian's Chromium, driven by playwright-core, against the built
// example server (AUTH_SERVER) and oauth2-mock-server standing in for Google, all on loopback.
//
//   AUTH_SERVER=build/release/examples/auth_server node tests/browser/sign_in.test.mjs
//
// ctest runs it (label "browser"). It fails, never skips, when Chromium (CHROMIUM, default
// /usr/bin/chromium) or the npm packages (./setup.sh test) are missing. Screenshots and the
// server's log go to BROWSER_SCREENSHOTS (ctest: build/<preset>/tests/browser/screenshots).
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(process.env.BROWSER_SCREENSHOTS ||
  process.env.BROWSER_SCREENSHOTS_DEFAULT || path.join(here, 'screenshots'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const serverPath = process.env.AUTH_SERVER;
const SUB = 'johndoe';

function fail(message) {
  console.error(`browser test: ${message}`);
  process.exit(1);
}

async function load(name) {
  try {
    return await import(name);
  } catch (e) {
    fail(`cannot load ${name} (${e.code || e.message}): run ./setup.sh test, which installs ` +
      'the pinned packages into tests/browser/node_modules');
  }
}

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const {port} = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

async function waitHealthy(url, child) {
  const end = Date.now() + 15000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`auth_server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch (e) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('auth_server did not become healthy in 15 s');
}

// The stand-in provider: approves at once as `SUB`, or refuses when `provider.deny` is set.
async function startProvider(OAuth2Server) {
  const oidc = new OAuth2Server();
  await oidc.issuer.keys.generate('RS256');
  await oidc.start(0, '127.0.0.1');
  const provider = {oidc, deny: false, url: oidc.issuer.url};
  oidc.service.on('beforeUserinfo', (response) => {
    response.body = {sub: SUB, email: 'jane@example.test', email_verified: true,
      name: 'Jane Player'};
  });
  oidc.service.on('beforeAuthorizeRedirect', (redirect) => {
    if (!provider.deny) return;
    redirect.url.searchParams.delete('code');
    redirect.url.searchParams.set('error', 'access_denied');
  });
  return provider;
}

function startServer(port, provider, logFile) {
  const env = {
    PATH: process.env.PATH,
    HTTP_PORT: String(port),
    GOOGLE_CLIENT_ID: 'browser-test-client',
    GOOGLE_CLIENT_SECRET: 'browser-test-client-secret',
    GOOGLE_REDIRECT_URL: `http://127.0.0.1:${port}/`,
    GOOGLE_AUTHORIZATION_ENDPOINT: `${provider.url}/authorize`,
    GOOGLE_TOKEN_ENDPOINT: `${provider.url}/token`,
    GOOGLE_USERINFO_ENDPOINT: `${provider.url}/userinfo`,
    GOOGLE_JWKS_URL: `${provider.url}/jwks`,
    GOOGLE_ISSUERS: provider.url,
    JWT_SECRET: 'browser-test-signing-key-of-32-bytes-or-more',
    AUTH_SERVER_DEMO_SUB: SUB,
  };
  const log = fs.openSync(logFile, 'w');
  return spawn(serverPath, [], {env, stdio: ['ignore', 'ignore', log]});
}

async function shot(page, name) {
  await page.screenshot({path: path.join(shots, `${name}.png`), fullPage: true});
}

const text = (page, id) => page.locator(`[data-testid="${id}"]`).innerText();

async function signIn(page, app) {
  await page.goto(`${app}/`);
  await page.locator('[data-testid="signin"]').click();
  await page.locator('[data-testid="account-name"]').filter({hasText: /\S/}).waitFor();
}

async function run(chromium, app, provider) {
  const browser = await chromium.launch({executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage']});
  try {
    const context = await browser.newContext();
    context.setDefaultTimeout(15000);
    const page = await context.newPage();
    const refreshes = [];
    page.on('request', (r) => { if (r.url().endsWith('/auth/refresh')) refreshes.push(r); });
    let callbackUrl = null;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame() && f.url().includes('code=')) callbackUrl = f.url();
    });
    await page.clock.install();

    await page.goto(`${app}/`);
    await page.locator('[data-testid="signin"]').waitFor();
    check(await page.locator('[data-testid="signin"]').isVisible(), 'signed out: the sign-in link shows');
    await shot(page, '01-signed-out');

    await signIn(page, app);
    check(await text(page, 'account-name') === 'Demo Player', 'signed in: the account name');
    check(await text(page, 'cash') === '$2,297.00', 'signed in: cash $2,297.00');
    check(await text(page, 'available-cash') === '$2,297.00', 'signed in: available cash');
    check((await text(page, 'sleeper-league')).includes('1048176542781366272'),
      'signed in: the linked Sleeper league');
    check(await page.locator('[data-testid="positions"] tbody tr').count() === 2,
      'signed in: two positions');
    check((await text(page, 'positions')).includes('Player #1\t7'), 'signed in: 7 shares of player 1');
    check(await page.locator('[data-testid="trades"] tbody tr').count() === 3,
      'signed in: three recent trades');
    check(new URL(page.url()).search === '', 'the code and state left the address bar');
    const cookies = await context.cookies();
    const refreshCookie = cookies.find((c) => c.name === 'account_refresh');
    check(refreshCookie && refreshCookie.httpOnly && refreshCookie.sameSite === 'Strict' &&
      refreshCookie.path === '/auth', 'the refresh token is an HttpOnly SameSite=Strict cookie on /auth');
    const exposed = await page.evaluate(() => JSON.stringify({
      cookie: document.cookie, local: {...localStorage}, session: {...sessionStorage},
      html: document.documentElement.outerHTML}));
    check(!exposed.includes(refreshCookie.value) && !exposed.includes('eyJ'),
      'no token in the DOM, document.cookie or web storage');
    await shot(page, '02-signed-in');

    await page.reload();
    await page.locator('[data-testid="account-name"]').filter({hasText: 'Demo Player'}).waitFor();
    check(await page.locator('#signed-in').isVisible(), 'a reload stays signed in');
    await shot(page, '03-reloaded');

    const before = refreshes.length;
    await page.clock.runFor(3541 * 1000);  // Past expires_in - 60 s of the 1 h access token.
    await page.waitForResponse((r) => r.url().endsWith('/me') && r.status() === 200);
    check(refreshes.length === before + 1, 'the access token is refreshed before it expires');
    check(await page.locator('#signed-in').isVisible(), 'still signed in after the refresh');

    await page.locator('[data-testid="signout"]').click();
    await page.locator('[data-testid="signin"]').waitFor();
    check(!(await context.cookies()).some((c) => c.name === 'account_refresh'),
      'sign-out clears the refresh cookie');
    await page.reload();
    await page.locator('[data-testid="signin"]').waitFor();
    check(await page.locator('[data-testid="signin"]').isVisible(), 'after sign-out a reload is signed out');
    await shot(page, '04-signed-out-again');

    provider.deny = true;
    await page.locator('[data-testid="signin"]').click();
    await page.locator('[data-testid="error-title"]').filter({hasText: /\S/}).waitFor();
    provider.deny = false;
    check(await text(page, 'error-title') === 'You cancelled the sign-in', 'access denied: its page');
    check(await page.locator('[data-testid="try-again"]').isVisible(), 'access denied: try again');
    await shot(page, '05-access-denied');

    await page.locator('[data-testid="try-again"]').click();
    await page.locator('[data-testid="account-name"]').filter({hasText: 'Demo Player'}).waitFor();
    check(callbackUrl !== null, 'try again signs in');
    await page.goto(callbackUrl);  // The callback again: reloaded, or from history.
    await page.locator('[data-testid="error-title"]').filter({hasText: /\S/}).waitFor();
    check(await text(page, 'error-title') === 'This sign-in link was already used or has expired',
      'a reloaded callback: its page');
    check(await page.locator('[data-testid="try-again"]').isVisible(), 'a reloaded callback: try again');
    await shot(page, '06-reloaded-callback');
    await context.close();
  } finally {
    await browser.close();
  }
}

async function checkServer(app, logFile) {
  const metrics = await (await fetch(`${app}/metrics`)).text();
  const value = (series) => {
    const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.split(' ')[1]) : NaN;
  };
  check(value('auth_logins_total') === 2, 'metrics: two sign-ins (the first, and the try again)');
  check(value('auth_logouts_total') === 1, 'metrics: one sign-out');
  check(value('auth_refreshes_total') >= 2, 'metrics: the refreshes');
  check(value('account_denials_total{reason="LoginStateUnknown"}') === 1,
    'metrics: the reloaded callback counted as LoginStateUnknown');
  const lines = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
  check(lines.length > 0 && lines.every((l) => {
    try {
      const v = JSON.parse(l);
      return typeof v.event === 'string' && typeof v.ts === 'string';
    } catch (e) {
      return false;
    }
  }), 'the server log is JSON lines only');
  check(!lines.some((l) => l.includes('code=') || l.includes('browser-test-client-secret')),
    'no code or secret in the server log');
}

async function main() {
  if (!serverPath || !fs.existsSync(serverPath)) fail(`AUTH_SERVER (${serverPath}) is not a file`);
  if (!fs.existsSync(chromiumPath)) {
    fail(`no Chromium at ${chromiumPath}: apt-get install chromium (./setup.sh test)`);
  }
  const {chromium} = await load('playwright-core');
  const {OAuth2Server} = await load('oauth2-mock-server');
  fs.mkdirSync(shots, {recursive: true});
  const logFile = path.join(shots, 'auth_server.log');
  const started = Date.now();
  const provider = await startProvider(OAuth2Server);
  const port = await freePort();
  const app = `http://127.0.0.1:${port}`;
  const server = startServer(port, provider, logFile);
  const stopServer = () => { if (server.exitCode === null) server.kill('SIGTERM'); };
  process.on('exit', stopServer);
  try {
    await waitHealthy(app, server);
    await run(chromium, app, provider);
    await checkServer(app, logFile);
  } finally {
    stopServer();
    if (server.exitCode === null) await once(server, 'exit');
    await provider.oidc.stop();
  }
  console.log(`browser test passed in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
    `screenshots in ${shots}`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  console.error(`browser test FAILED; screenshots and auth_server.log in ${shots}`);
  process.exit(1);
});
