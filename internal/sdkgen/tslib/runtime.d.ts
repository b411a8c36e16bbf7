export interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}
export interface ClientConfig {
    /** The stage's URL; default: the URL the SDK was generated for. */
    invokeUrl?: string;
    /** Sent as x-api-key. */
    apiKey?: string;
    /** The region requests are signed for. */
    region?: string;
    /** Signs every request with Signature Version 4 (service execute-api). */
    credentials?: Credentials | (() => Promise<Credentials>);
    fetch?: typeof fetch;
    /** Added to every request. */
    headers?: Record<string, string>;
}
export interface RequestExtras {
    headers?: Record<string, string>;
    queryParams?: Record<string, string>;
    signal?: AbortSignal;
}
export interface ApiResponse<T> {
    status: number;
    headers: Record<string, string>;
    data: T;
}
/** An answer other than 2xx. */
export declare class ApiError extends Error {
    status: number;
    headers: Record<string, string>;
    data: unknown;
    constructor(status: number, headers: Record<string, string>, data: unknown);
}
export declare function createClient(config?: ClientConfig): Client;
