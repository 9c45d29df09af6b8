// Preloaded (`node --require`) into each process the CLI bench times: at exit, appends the process's
// CPU time in ms (user + system, from its start) to $BENCH_CPU_TIME_FILE. Wall time depends on what
// else the machine runs; CPU time much less, so it shows what a change buys on a busy machine.
const { appendFileSync } = require('node:fs');

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  appendFileSync(process.env.BENCH_CPU_TIME_FILE, `${(user + system) / 1000}\n`);
});
