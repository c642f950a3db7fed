using Storefront.Api.Data;
using Storefront.Api.Http;
using Storefront.Api.Jobs;
using Storefront.Api.RateLimits;

namespace Storefront.Api.Email;

public static class EmailExtensions
{
    /// <summary>Mail as durable jobs: the sender (SMTP or pickup folder), its job handlers, /send-email, the welcome mail.</summary>
    public static WebApplicationBuilder AddEmail(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SmtpOptions>(SmtpOptions.Section);
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddJsonTypes(EmailJsonContext.Default);
        services.AddSingleton<EmailSender>();
        services.AddRateLimits();
        services.AddSingleton<RecipientLimits>();
        services.AddRateLimiter(limiter => limiter.AddPolicy(EmailEndpoints.SendEmailPolicy, EmailEndpoints.PerUser));
        services.AddSingleton<IJobHandler, WelcomeEmailHandler>();
        services.AddSingleton<IJobHandler, SendEmailHandler>();
        services.AddSingleton<IWelcomeMail, WelcomeMail>();
        services.AddSingleton<IJobHandler, OrderConfirmationHandler>();
        services.AddSingleton<IOrderMail, OrderMail>();
        services.AddSingleton<IJobHandler, PasswordRecoveryHandler>();
        services.AddSingleton<IJobHandler, AlreadyRegisteredHandler>();
        services.AddSingleton<IAccountMail, AccountMail>();
        return builder;
    }
}
