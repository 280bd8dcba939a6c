<html>CURLOPT_SSLVERSION => CURL_SSLVERSION_TLSv1_0 in inline HTML is no pin.</html>
<?php
// curl_setopt($ch, CURLOPT_SSLVERSION, 4); in a comment is no pin.
# CURLOPT_SSLVERSION => CURL_SSLVERSION_TLSv1_0 in a hash comment is no pin.

#[Attribute]
class Pins
{
    public function legacy($ch)
    {
        curl_setopt($ch, CURLOPT_SSLVERSION, 4);
        curl_setopt_array($ch, [
            CURLOPT_SSLVERSION => CURL_SSLVERSION_TLSv1_0 | CURL_SSLVERSION_MAX_TLSv1_1,
        ]);
    }

    public function stream()
    {
        return stream_context_create([
            'ssl' => ['crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT],
        ]);
    }

    public function server($socket)
    {
        stream_socket_enable_crypto($socket, true, STREAM_CRYPTO_METHOD_TLSv1_1_SERVER);
    }

    public function traps()
    {
        $heredoc = <<<EOT
            curl_setopt(\$ch, CURLOPT_SSLVERSION, 4);
            EOT;
        $nowdoc = <<<'EOT'
        'crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT
        EOT;
        $message = "CURLOPT_SSLVERSION => CURL_SSLVERSION_TLSv1_0 is disabled";
        $CURL_SSLVERSION_TLSv1_0 = 'unrelated';
        return [$heredoc, $nowdoc, $message, $CURL_SSLVERSION_TLSv1_0];
    }
}
?>
<p>STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT after the closing tag is no pin.</p>
