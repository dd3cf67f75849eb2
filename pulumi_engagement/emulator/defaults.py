"""The account and region the emulator uses when a caller names none (moto's default account)."""

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
