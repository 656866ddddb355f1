/**
 * Reads answers for login: on a TTY a prompt per question, with the password not echoed;
 * when stdin is piped, one line per question (so scripts can `printf 'alice\npw\n' | raven-pkg login`).
 */
import readline from 'node:readline';
import type { CommandContext } from './context.ts';

export async function prompt({ ctx, questions }: { ctx: CommandContext; questions: { text: string; secret?: boolean }[] }): Promise<string[]> {
  const tty = ctx.stdin.isTTY === true;
  const answers: string[] = [];
  if (!tty) {
    const rl = readline.createInterface({ input: ctx.stdin, terminal: false });
    const it = rl[Symbol.asyncIterator]();
    for (let i = 0; i < questions.length; i++) {
      const next = await it.next();
      answers.push(next.done ? '' : String(next.value).trim());
    }
    rl.close();
    return answers;
  }
  for (const q of questions) {
    let muted = false;
    const output = new (await import('node:stream')).Writable({
      write(chunk, _enc, cb) {
        if (!muted) ctx.stderr.write(chunk);
        cb();
      },
    });
    const rl = readline.createInterface({ input: ctx.stdin, output, terminal: true });
    const answer = await new Promise<string>((resolve) => {
      rl.question(q.text, (a) => resolve(a));
      muted = q.secret === true;
    });
    rl.close();
    if (q.secret) ctx.stderr.write('\n');
    answers.push(answer.trim());
  }
  return answers;
}
