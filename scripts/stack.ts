import { runMain } from '../infra/process';
import { bringUpStack } from './stack/up';
import { Supervisor } from './stack/supervisor';
import { printCodecSignIn, printDashboard } from './stack/tokens';

// `npm run stack`: the whole system in the foreground until Ctrl-C, for the API and the Temporal UI.
await runMain('stack', async () => {
  const sup = new Supervisor('npm run stack');
  try {
    const stack = await bringUpStack(sup, { customers: 20_000 });
    sup.keepRunning();
    printTokens(stack.tokens);
    printDashboard(stack.apiUrl, stack.tokens);
    printCodecSignIn(stack.apiUrl, stack.tokens);
    console.log(`\nThe stack is up. Temporal UI: ${stack.uiUrl} · API docs: ${stack.apiUrl}/docs · crashed processes restart · Ctrl-C stops everything.`);
    await sup.watch(new Promise<never>(() => {}));
  } catch (err) {
    await sup.stop();
    throw err;
  }
});

/** The development tokens, one per role, so the README's curl examples work as they are. */
function printTokens(tokens: Record<string, string> | undefined): void {
  if (!tokens) {
    console.log('\ntokens     from your identity provider (AUTH_* is set); none made here');
    return;
  }
  console.log('\nDevelopment tokens (valid 12 h; `npm run -s token -- --role <role> --sub <name>` makes more):');
  for (const [role, token] of Object.entries(tokens)) console.log(`  ${role.padEnd(10)} ${token}`);
}

