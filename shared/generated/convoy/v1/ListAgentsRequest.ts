// Original file: proto/convoy/v1/control.proto


export interface ListAgentsRequest {
}

export interface ListAgentsRequest__Output {
}
