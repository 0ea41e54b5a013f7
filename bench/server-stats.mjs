// For bench server scripts: answer the bench's IPC "stats" message with this process's CPU time (µs)
// and any extra figures. Outside the HTTP server, so reading the figures costs the routes nothing.
export function reportStats(extra = () => ({})) {
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system, rssBytes: process.memoryUsage().rss, ...extra() });
  });
}
