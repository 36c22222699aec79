"""The four channels of `wxreport deliver`, one module per destination type (`wecom`, `feishu`,
`dingtalk`, `email`), each with

    send(dest: Destination, week: Week, digest: Digest, http: Http, kinds: Sequence[str]) -> list[Sent]

sending the messages `kinds` (in order) and returning one `Sent` per message, or raising
`DeliveryError` with the messages that went out before the failure. The command imports the module
named after `dest.type`.
"""
