// binary-parser's package.json "exports" gives its ESM build no types; point at the CJS ones.
declare module 'binary-parser' {
  export { Parser } from 'binary-parser/dist/binary_parser.js';
}
