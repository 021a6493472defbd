// The codec module's only exports: the decoder's and the encoder's ABI.
export * from "./codec/decoder_abi";
export * from "./codec/encoder_abi";
