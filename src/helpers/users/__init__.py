"""User analysis: growth, activity, retention, lifecycle, value (RFM, CLV), portrait, funnel and referral."""
