"""Delivering the week where managers read it: 企业微信 (WeCom), Feishu and DingTalk group robots,
and email (`wxreport deliver`, issue 18).

- `params`: params/delivery.yaml, typed; secrets resolved from the environment into `Destination`s;
- `week`: what the run published for a week (index.html, the reports' JSON summaries, the poster);
- `digest`: the week's digest per format; `escape`: data text made inert per format;
- `log`: the week's delivery.json, `Sent` and `DeliveryError`;
- `http`, `channels`: the HTTP client and one module per platform;
- `command`: the command itself.
"""
