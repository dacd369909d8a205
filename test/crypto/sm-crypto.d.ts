/** The slice of sm-crypto (an independent jsbn-based SM2/SM3 implementation) the tests use. */
declare module 'sm-crypto' {
  interface Sm2Options {
    /** SM3(Z_A || M) first (default true). */
    hash?: boolean;
    /** Distinguishing ID (default 1234567812345678). */
    userId?: string;
    /** DER signature instead of r || s hex (default false). */
    der?: boolean;
    /** The signer's public key, hex (saves deriving it). */
    publicKey?: string;
  }
  const smCrypto: {
    sm2: {
      doSignature(msg: number[], privateKey: string, options?: Sm2Options): string;
      doVerifySignature(
        msg: number[],
        signature: string,
        publicKey: string,
        options?: Sm2Options,
      ): boolean;
    };
  };
  export default smCrypto;
}
