// JSON that keeps each number's source text (signatures are over the text that arrived), and typed field reading.
export {
  JsonNumber,
  JsonSyntaxError,
  JsonTooManyKeysError,
  type ParseJsonRawOptions,
  parseJsonRaw,
  type RawJsonObject,
  type RawJsonValue,
  stringifyJsonRaw,
} from './raw-json.js';
