// The caller's provider keys: stored, listed masked (last four characters), replaced, deleted.
import { request, type ResponseOf } from "../client";

export type CredentialList = ResponseOf<"/api/credentials", "get">;

export const credentialEndpoints = {
  credentials: () => request("/api/credentials", "get", {}),
  storeCredential: (provider: string, key: string) =>
    request("/api/credentials/{provider}", "put", { path: { provider }, body: { key } }),
  deleteCredential: (provider: string) => request("/api/credentials/{provider}", "delete", { path: { provider } }),
};
