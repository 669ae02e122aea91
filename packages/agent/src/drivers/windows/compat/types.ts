/** What sort of PowerShell construct an entry of the list is. */
export type ConstructKind = 'command' | 'parameter' | 'operator' | 'type' | 'member' | 'variable' | 'syntax';

/** The AST shapes the checker knows by name, for constructs that no simpler match describes. */
export type AstShape =
  | 'class'
  | 'enum'
  | 'using-statement'
  | 'using-expression'
  | 'dynamic-method'
  | 'omitted-attribute-value'
  | 'background-pipeline'
  | 'requires-version';

/**
 * How check-ps2.ps1 finds a construct in a parsed script. Names compare case-insensitively, as PowerShell
 * does; `commands` lists a cmdlet with its built-in aliases, `'*'` means any command.
 */
export type ConstructMatch =
  /** A command (cmdlet, function or alias) called by this name. */
  | { readonly by: 'command'; readonly names: readonly string[] }
  /**
   * A parameter of these commands: its full name or an alias, or a prefix of at least `minPrefix` characters
   * of the first name (PowerShell accepts unambiguous abbreviations); with `values`, only when its argument
   * is one of these constants.
   */
  | {
      readonly by: 'parameter';
      readonly commands: readonly string[] | '*';
      readonly names: readonly string[];
      readonly minPrefix?: number;
      readonly values?: readonly string[];
    }
  /** The 3.0 simplified syntax: these commands with no script block and a parameter PowerShell 2.0 lacks. */
  | {
      readonly by: 'simplified';
      readonly commands: readonly string[];
      readonly ps2Parameters: readonly string[];
    }
  /** A token of one of these kinds (`System.Management.Automation.Language.TokenKind` names). */
  | { readonly by: 'token'; readonly kinds: readonly string[]; readonly textPattern?: string }
  /** A type literal, cast, constraint or attribute naming one of these types. */
  | { readonly by: 'type'; readonly names: readonly string[] }
  /**
   * A member access or call by one of these names: static on one of `types` (any type if absent), or on an
   * instance; with `minArguments`, only calls with at least that many arguments.
   */
  | {
      readonly by: 'member';
      readonly names: readonly string[];
      readonly static: boolean;
      readonly types?: readonly string[];
      readonly minArguments?: number;
    }
  /** A variable of one of these names, in any scope (`$script:x` too) but not a drive (`$env:x`). */
  | { readonly by: 'variable'; readonly names: readonly string[] }
  /** A parse error with one of these ids from PowerShell 7's parser, which rejects some 3.0-5.1 syntax. */
  | { readonly by: 'parse-error'; readonly errorIds: readonly string[] }
  /** One of the AST shapes the checker knows by name. */
  | { readonly by: 'ast'; readonly shape: AstShape }
  /** A redirection from one of these streams (`RedirectionStream` names). */
  | { readonly by: 'redirection'; readonly streams: readonly string[] };

/** A construct that PowerShell 2.0 does not have, with the version that introduced it and how to find it. */
export interface Ps3Construct {
  readonly kind: ConstructKind;
  /** How a finding names it, e.g. `Get-Content -Raw`. */
  readonly name: string;
  /** The first PowerShell version that has it, e.g. `3.0`. */
  readonly since: string;
  /** Why it matters here, and where the version comes from. */
  readonly why: string;
  readonly match: ConstructMatch;
  /** One line of PowerShell that uses it and nothing else of the list: the checker's own test runs it. */
  readonly sample: string;
}
