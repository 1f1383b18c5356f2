/**
 * Shell completion for `convoy`, generated from the commander program itself, so a new command
 * or option is completed without anyone editing a script. Static: commands, options and
 * argument choices; values (rollout ids, agent ids) are left to the shell's default (files).
 */
import type { Command, Option } from 'commander';

/** The shells `convoy completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** An option as completion sees it. */
export interface CompletionOption {
  long: string;
  description: string;
  takesValue: boolean;
  /** Its value is a file or directory (`<file>`, `<dir>`, `<path>`): complete paths. */
  file: boolean;
}

/** One command (the root has path []): what may follow it. */
export interface CompletionNode {
  path: string[];
  subcommands: { name: string; description: string }[];
  options: CompletionOption[];
  /** Allowed values of its first argument (`convoy completion <shell>`). */
  choices: string[];
}

function optionOf(o: Option): CompletionOption | undefined {
  if (!o.long || o.hidden) return undefined;
  return {
    long: o.long,
    description: o.description,
    takesValue: o.required || o.optional,
    file: /<(file|dir|path)>|\[(file|dir|path)\]/.test(o.flags),
  };
}

/** Every command of the program, depth first, root first. Options of the root apply everywhere. */
export function completionTree(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, path: string[]): void => {
    const visible = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
    nodes.push({
      path,
      subcommands: visible.map((c) => ({ name: c.name(), description: c.description() })),
      options: cmd.options.map(optionOf).filter((o): o is CompletionOption => o !== undefined),
      choices: cmd.registeredArguments[0]?.argChoices ?? [],
    });
    for (const c of visible) visit(c, [...path, c.name()]);
  };
  visit(program, []);
  return nodes;
}

/** Options of the root (--coordinator, --ca …), accepted after any subcommand too. */
function globalOptions(nodes: CompletionNode[]): CompletionOption[] {
  return (nodes[0]?.options ?? []).filter((o) => o.long !== '--version');
}

function wordsOf(node: CompletionNode, globals: CompletionOption[]): string[] {
  const own = node.path.length === 0 ? [] : globals;
  return [...node.subcommands.map((s) => s.name), ...node.choices, ...node.options.map((o) => o.long), ...own.map((o) => o.long)];
}

function valueOptions(nodes: CompletionNode[]): string[] {
  const all = nodes.flatMap((n) => n.options.filter((o) => o.takesValue).map((o) => o.long));
  return [...new Set(all)].sort();
}

/** A double-quoted case pattern for a command path ("rollout start"). */
function casePattern(node: CompletionNode): string {
  return `"${node.path.join(' ')}"`;
}

export function bashScript(nodes: CompletionNode[]): string {
  const globals = globalOptions(nodes);
  const cases = nodes.map((n) => `    ${casePattern(n)}) echo "${wordsOf(n, globals).join(' ')}" ;;`);
  return `# convoy completion for bash. Load it now:  source <(convoy completion bash)
# or for every shell:  convoy completion bash > ~/.local/share/bash-completion/completions/convoy
_convoy_words() {
  case "$1" in
${cases.join('\n')}
    *) return 1 ;;
  esac
}
_convoy() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath="" next i w
  case "$prev" in
    ${valueOptions(nodes).join('|')}) COMPREPLY=(); return 0 ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ $w == -* ]] && continue
    next="\${cmdpath:+$cmdpath }$w"
    if _convoy_words "$next" >/dev/null; then cmdpath="$next"; fi
  done
  COMPREPLY=($(compgen -W "$(_convoy_words "$cmdpath")" -- "$cur"))
}
complete -o default -F _convoy convoy
`;
}

/** zsh's _describe entries: "name:description", colons in names escaped. */
function zshEntry(name: string, description: string): string {
  const text = `${name.replace(/:/g, '\\:')}:${description}`;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function zshScript(nodes: CompletionNode[]): string {
  const globals = globalOptions(nodes);
  const cases = nodes.map((n) => {
    const entries = [
      ...n.subcommands.map((s) => zshEntry(s.name, s.description)),
      ...n.choices.map((c) => zshEntry(c, '')),
      ...[...n.options, ...(n.path.length === 0 ? [] : globals)].map((o) => zshEntry(o.long, o.description)),
    ];
    return `    ${casePattern(n)}) reply=(${entries.join(' ')}) ;;`;
  });
  const fileOptions = [...new Set(nodes.flatMap((n) => n.options.filter((o) => o.file).map((o) => o.long)))];
  const otherValues = valueOptions(nodes).filter((o) => !fileOptions.includes(o));
  return `#compdef convoy
# convoy completion for zsh. Load it now:  source <(convoy completion zsh)
# or for every shell: convoy completion zsh > "\${fpath[1]}/_convoy"  (a directory on $fpath)
_convoy_entries() {
  case "$1" in
${cases.join('\n')}
    *) return 1 ;;
  esac
}
_convoy() {
  local cmdpath="" next w i
  local -a reply
  case "\${words[CURRENT-1]}" in
    ${fileOptions.join('|') || '--no-file-options'}) _files; return ;;
    ${otherValues.join('|') || '--no-value-options'}) return ;;
  esac
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ $w == -* ]] && continue
    next="\${cmdpath:+$cmdpath }$w"
    if _convoy_entries "$next"; then cmdpath="$next"; fi
  done
  _convoy_entries "$cmdpath" && _describe -t commands 'convoy' reply
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _convoy "$@"
else
  compdef _convoy convoy
fi
`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fishOption(o: CompletionOption, condition: string): string {
  const value = o.takesValue ? (o.file ? ' -r -F' : ' -r -f') : '';
  return `complete -c convoy${condition} -l ${o.long.replace(/^--/, '')}${value} -d ${fishQuote(o.description)}`;
}

export function fishScript(nodes: CompletionNode[]): string {
  const paths = nodes.filter((n) => n.path.length > 0).map((n) => fishQuote(n.path.join(' ')));
  const lines: string[] = [];
  for (const n of nodes) {
    const at = ` -n ${fishQuote(`test "$(__convoy_path)" = "${n.path.join(' ')}"`)}`;
    for (const s of n.subcommands) lines.push(`complete -c convoy${at} -a ${fishQuote(s.name)} -d ${fishQuote(s.description)}`);
    for (const c of n.choices) lines.push(`complete -c convoy${at} -a ${fishQuote(c)}`);
    // The root's options are accepted after any subcommand: offer them everywhere.
    for (const o of n.options) {
      const everywhere = n.path.length === 0 && o.long !== '--version';
      lines.push(fishOption(o, everywhere ? '' : at));
    }
  }
  return `# convoy completion for fish. Load it now:  convoy completion fish | source
# or for every shell:  convoy completion fish > ~/.config/fish/completions/convoy.fish
set -g __convoy_paths ${paths.join(' ')}
function __convoy_path
    set -l p ''
    for w in (commandline -opc)[2..-1]
        string match -q -- '-*' $w; and continue
        set -l next (string trim -- "$p $w")
        contains -- $next $__convoy_paths; and set p $next
    end
    echo $p
end
complete -c convoy -f
${lines.join('\n')}
`;
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell, program: Command): string {
  const nodes = completionTree(program);
  if (shell === 'bash') return bashScript(nodes);
  if (shell === 'zsh') return zshScript(nodes);
  return fishScript(nodes);
}
