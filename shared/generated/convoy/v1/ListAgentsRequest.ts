// Original file: proto/convoy/v1/control.proto


/**
 * Agents in id order, a page at a time: page_size 0 asks for all of them in one answer (as
 * before paging, and too large for one gRPC message in a fleet of thousands), page_token is the
 * next_page_token of the previous answer ("" for the first page).
 */
export interface ListAgentsRequest {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

/**
 * Agents in id order, a page at a time: page_size 0 asks for all of them in one answer (as
 * before paging, and too large for one gRPC message in a fleet of thousands), page_token is the
 * next_page_token of the previous answer ("" for the first page).
 */
export interface ListAgentsRequest__Output {
  'pageSize': (number);
  'pageToken': (string);
}
