// Kept as a re-export so existing test imports keep working: the signer lives in the private
// workspace package @diamondpay-internal/test-signer (node:crypto, no core code).
export * from '@diamondpay-internal/test-signer';
