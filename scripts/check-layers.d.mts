export declare const LAYERS: Readonly<Record<string, readonly string[]>>;
export declare const CORE_PACKAGES: ReadonlySet<string>;
export declare function findViolations(srcDir: string): string[];
