// Browser test of the web UI with access control on: Debian's chromium
// driven by playwright-core, signing in with the browser's Basic prompt
// (httpCredentials). Usage: node signed-in.mjs BASE_URL
// The registry at BASE_URL has the users `reader` and `admin` (passwords
// `reader-pw`, `admin-pw`) and the subject `orders-value` with two versions
// (registry/server/tests/it/browser.rs). Exits non-zero with a message at the
// first failed expectation.
import { expect, launch } from "./harness.mjs";

const [base] = process.argv.slice(2);

const browser = await launch();
const as = async (user) => {
  const options = user ? { httpCredentials: { username: user, password: `${user}-pw` } } : {};
  const context = await browser.newContext(options);
  return context.newPage();
};
try {
  // Without credentials: the registry asks for them (headless chromium has
  // no prompt to show, so the answer is read through the context's requests).
  const anonymous = await as(null);
  const refused = await anonymous.context().request.get(`${base}/ui/`);
  expect(refused.status() === 401, `401 without credentials (${refused.status()})`);
  expect(
    (refused.headers()["www-authenticate"] ?? "").startsWith("Basic"),
    "a Basic challenge, for the browser's prompt",
  );

  // A reader: signed in, no admin forms.
  const reader = await as("reader");
  await reader.goto(`${base}/ui/subjects/orders-value`);
  expect((await reader.textContent("nav .who")).includes("reader"), "the reader is shown as signed in");
  expect((await reader.locator("text=Change compatibility").count()) === 0, "no level form for a reader");
  expect((await reader.locator("button:has-text('Soft-delete')").count()) === 0, "no delete buttons for a reader");
  expect((await reader.locator("a[href='/ui/audit']").count()) === 0, "no audit log link for a reader");

  // An admin: the forms are there and work.
  const admin = await as("admin");
  await admin.goto(`${base}/ui/`);
  expect((await admin.locator("a[href='/ui/audit']").count()) === 1, "the audit log is linked for an admin");
  await admin.goto(`${base}/ui/subjects/orders-value`);
  expect((await admin.textContent("nav .who")).includes("admin"), "the admin is shown as signed in");
  expect((await admin.locator("button:has-text('Soft-delete')").count()) === 2, "delete buttons for an admin");
  await admin.selectOption("select[name=compatibility]", "FULL");
  await admin.click("button:has-text('Save')");
  await admin.waitForLoadState();
  expect((await admin.textContent("dl.facts")).includes("FULL"), "the admin changed the level");
  await admin.goto(`${base}/ui/audit`);
  expect((await admin.textContent("table.audit")).includes("CONFIG_CHANGED"), "the change is in the audit log");

  // The reader's page now shows the new level, still without forms.
  await reader.reload();
  expect((await reader.textContent("dl.facts")).includes("FULL"), "the reader sees the new level");
  console.log("signed-in browser test passed");
} catch (error) {
  console.error(`signed-in browser test failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
