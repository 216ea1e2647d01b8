// Independent check of pathway's signed badges with Digital Bazaar's JavaScript verifier
// (@digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite; jsonld-signatures runs JSON-LD
// in "safe mode", which refuses undefined terms). Not part of the test suite (it needs npm);
// run it by hand after changing the credential's shape or the bundled contexts:
//
//   mkdir /tmp/interop && cd /tmp/interop && npm init -y && npm install @digitalbazaar/vc \
//     @digitalbazaar/data-integrity @digitalbazaar/eddsa-rdfc-2022-cryptosuite \
//     @digitalbazaar/ed25519-multikey @digitalbazaar/credentials-context
//   cp REPO/tests/interop/verify_with_digitalbazaar.mjs . && \
//     PATHWAY_CONTEXTS=REPO/src/pathway_cli/badges/contexts/ \
//     node verify_with_digitalbazaar.mjs [did.json...] CREDENTIAL.json...
//
// The W3C credentials v2 context comes from the npm package, not from pathway's copy; the
// Open Badges contexts from pathway's bundle. Nothing is fetched. Revocation is not checked.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import jsigs from 'jsonld-signatures';
import {readFileSync} from 'node:fs';

const {purposes: {AssertionProofPurpose}} = jsigs;
const ctxDir = process.env.PATHWAY_CONTEXTS;
const index = JSON.parse(readFileSync(ctxDir + 'index.json', 'utf8'));
// The W3C v2 context from the npm package, NOT pathway's copy (independent source)
const official = JSON.parse(readFileSync(
  'node_modules/@digitalbazaar/credentials-context/contexts/v2.jsonld', 'utf8'));
const files = process.argv.slice(2);
const didDocs = {};
for (const f of files.filter(f => f.endsWith('did.json'))) {
  const d = JSON.parse(readFileSync(f, 'utf8')); didDocs[d.id] = d;
}
async function documentLoader(url) {
  if (url === 'https://www.w3.org/ns/credentials/v2') {
    return {contextUrl: null, documentUrl: url, document: official};
  }
  if (index[url]) {
    return {contextUrl: null, documentUrl: url,
            document: JSON.parse(readFileSync(ctxDir + index[url], 'utf8'))};
  }
  if (url === 'https://w3id.org/security/multikey/v1' || url === 'https://www.w3.org/ns/did/v1') {
    return {contextUrl: null, documentUrl: url, document: {'@context': {}}};
  }
  const [did, frag] = url.split('#');
  if (did.startsWith('did:key:')) {
    const key = did.slice(8);
    const vm = {'@context': 'https://w3id.org/security/multikey/v1', id: `${did}#${key}`,
                type: 'Multikey', controller: did, publicKeyMultibase: key};
    const doc = {'@context': ['https://www.w3.org/ns/did/v1'], id: did,
                 verificationMethod: [vm], assertionMethod: [vm.id]};
    return {contextUrl: null, documentUrl: url, document: frag ? vm : doc};
  }
  if (didDocs[did]) {
    const doc = didDocs[did];
    if (frag) {
      const vm = doc.verificationMethod.find(m => m.id === url);
      return {contextUrl: null, documentUrl: url,
              document: {'@context': 'https://w3id.org/security/multikey/v1', ...vm}};
    }
    return {contextUrl: null, documentUrl: url, document: doc};
  }
  throw new Error('refusing to load ' + url);
}
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
for (const f of files.filter(f => !f.endsWith('did.json'))) {
  const credential = JSON.parse(readFileSync(f, 'utf8'));
  const result = await vc.verifyCredential({credential, suite, documentLoader,
                                            checkStatus: async () => ({verified: true})});
  console.log(f, result.verified ? 'VERIFIED' : 'FAILED',
              result.verified ? '' : JSON.stringify(result.error?.errors?.map(e => e.message) ?? result.error?.message ?? result));
}
