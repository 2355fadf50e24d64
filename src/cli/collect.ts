// PLACEHOLDER: replaced by the owner of the 'collect' command during the foundation work.
import type { Command } from 'commander';

export function register(_program: Command): void {}
