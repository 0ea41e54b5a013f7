// Runs one benchmark module in this process and prints its results as one JSON line.
import { pathToFileURL } from 'node:url';

const mod = await import(pathToFileURL(process.argv[2]).href);
const results = await mod.default();
console.log(`BENCH_RESULTS ${JSON.stringify(results)}`);
process.exit(0);
