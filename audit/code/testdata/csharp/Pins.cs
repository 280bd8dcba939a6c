using System;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;

// ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls; in a comment is no pin.
#region SslProtocols.Tls in a region name is no pin
class Pins
{
    /* SslProtocols.Tls11 in a block comment is no pin. */
    static void Legacy()
    {
        ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls | SecurityProtocolType.Ssl3;
    }

    static void Add()
    {
        ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12;
    }

    static void Remove()
    {
        ServicePointManager.SecurityProtocol &= ~SecurityProtocolType.Tls12;
    }

    static HttpClient Client()
    {
        var handler = new HttpClientHandler
        {
            SslProtocols = SslProtocols.Tls | SslProtocols.Tls11,
        };
        return new HttpClient(handler);
    }

    static void Stream(SslStream stream)
    {
        stream.AuthenticateAsClient("127.0.0.1", null, System.Security.Authentication.SslProtocols.Tls, false);
    }

    static void Cast()
    {
        ServicePointManager.SecurityProtocol = (SecurityProtocolType)3072;
    }

    static string Traps()
    {
        var verbatim = @"ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls;
SslProtocols.Tls ""quoted"" ";
        var name = "x";
        var interpolated = $"SslProtocols.Tls {name + "}"} SslProtocols.Tls11";
        var raw = """
            SslProtocols.Tls
            """;
        Console.WriteLine("SslProtocols.Tls is disabled");
        return verbatim + interpolated + raw;
    }
}
#endregion

class Kestrel
{
    static void Configure(KestrelServerOptions options)
    {
        options.ConfigureHttpsDefaults(https => https.SslProtocols = SslProtocols.Tls12);
    }
}
