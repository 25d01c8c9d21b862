-- A channel's configuration may now be stored encrypted ("v1:" + base64 of nonce, ciphertext and
-- tag: about 4/3 of the JSON's UTF-8 bytes), so the column must hold more than the plaintext did.
ALTER TABLE notification_channels ALTER COLUMN config_json SET DATA TYPE VARCHAR(16000);
