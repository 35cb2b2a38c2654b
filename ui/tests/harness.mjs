// What the browser tests share: Debian's chromium launched headless through
// playwright-core, and an expectation that fails the test with a message.
import { chromium } from "playwright-core";

export function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

export function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}
