import { runMain } from '../infra/process';
import { bringUpStack } from './stack/up';
import { Supervisor } from './stack/supervisor';

// `npm run stack`: the whole system in the foreground until Ctrl-C, for the API and the Temporal UI.
await runMain('stack', async () => {
  const sup = new Supervisor('npm run stack');
  try {
    const stack = await bringUpStack(sup, { customers: 20_000 });
    sup.keepRunning();
    console.log(`\nThe stack is up. Temporal UI: ${stack.uiUrl} · API docs: ${stack.apiUrl}/docs · crashed processes restart · Ctrl-C stops everything.`);
    await sup.watch(new Promise<never>(() => {}));
  } catch (err) {
    await sup.stop();
    throw err;
  }
});
