import type { Plugin } from "esbuild";

export declare const slackUndiciShim: string;
export declare function importedBySocketMode(importer: string): boolean;
export declare const slackUndiciOnWs: Plugin;
