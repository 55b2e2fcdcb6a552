export declare const EVENT_SCHEMA: string;
