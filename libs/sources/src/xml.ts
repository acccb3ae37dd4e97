import { XMLParser } from 'fast-xml-parser';
import { MalformedDocumentError } from './records';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
});

/** Parses XML into plain objects (namespace prefixes dropped, every value a string). */
export function parseXml(xml: string, what: string): Record<string, any> {
  let document: Record<string, any>;
  try {
    document = parser.parse(xml, true);
  } catch (error) {
    throw new MalformedDocumentError(`${what}: not well-formed XML (${(error as Error).message.split('\n')[0]})`);
  }
  return document;
}
