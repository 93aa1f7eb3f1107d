// firstload.mjs - one first load of a page as a new visitor on a phone:
// a fresh browser context (no cache, no cookie), 360 px wide.  Answers the
// bytes on the wire (compressed, as Chromium's encodedDataLength counts
// them) and the milliseconds from navigation until both the load event and
// the first element matching selector.  Shared by the web test's budget
// (t/web/journeys.mjs) and make bench-web (bench/web.mjs).
export async function firstLoad(browser, url, selector) {
	const ctx = await browser.createBrowserContext();
	try {
		const p = await ctx.newPage();
		await p.setViewport({ width: 360, height: 740 });
		await p.setCacheEnabled(false);
		const c = await p.createCDPSession();
		await c.send('Network.enable');
		let bytes = 0;
		c.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
		const t0 = Date.now();
		await Promise.all([
			p.goto(url, { waitUntil: 'load' }),
			p.waitForSelector(selector, { timeout: 20000 }),
		]);
		const ms = Date.now() - t0;
		// What the page still fetches once it is usable counts in its bytes.
		await p.waitForNetworkIdle({ idleTime: 300, timeout: 20000 }).catch(() => {});
		return { bytes, ms };
	} finally {
		await ctx.close();
	}
}
