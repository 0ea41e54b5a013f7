// JSON that keeps each number's source text (signatures are over the text that arrived), and typed field reading.
export {
  JsonNumber,
  JsonSyntaxError,
  parseJsonRaw,
  type RawJsonObject,
  type RawJsonValue,
  stringifyJsonRaw,
} from './raw-json.js';
