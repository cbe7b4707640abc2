// swagger-ui-dist ships no types; this is the part of its bundle the docs page uses.
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
    interface SwaggerUIOptions {
        url: string;
        dom_id: string;
        layout?: string;
        deepLinking?: boolean;
        showExtensions?: boolean;
        showCommonExtensions?: boolean;
        displayRequestDuration?: boolean;
        validatorUrl?: string | null;
        presets?: unknown[];
    }
    const SwaggerUIBundle: ((options: SwaggerUIOptions) => unknown) & {
        presets: { apis: unknown };
    };
    export default SwaggerUIBundle;
}
