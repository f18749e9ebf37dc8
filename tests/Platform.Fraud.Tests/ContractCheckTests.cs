using System.Net;
using System.Net.Http.Json;
using System.Text;
using Platform.Testing.Contracts;

namespace Platform.Fraud.Tests;

/// <summary>
/// The contract check the test clients use, against the fraud service's committed document and a stand-in server that
/// answers what each test tells it to: it must refuse what the document forbids, in either direction, and say where.
/// </summary>
public sealed class ContractCheckTests
{
    private const string Score = "/v1/score/transaction";

    private static readonly object ValidTransaction = new
    {
        transactionId = "t-1", cardId = "card-1", amount = 1_250, currency = "USD", merchantId = "m-1",
        merchantCategoryCode = "5411", merchantCountry = "US", channel = "pos",
    };

    private static readonly string ValidScore =
        """{"score":12,"riskLevel":"low","action":"approve","reasons":[],"modelVersion":"transaction-1","scoringTimeMs":1.5,"degraded":false}""";

    [Fact]
    public async Task A_valid_exchange_passes_untouched()
    {
        var (client, server) = Client(HttpStatusCode.OK, ValidScore);

        var response = await client.PostAsJsonAsync(Score, ValidTransaction);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(12, (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("score").GetInt32());
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task A_request_body_of_the_wrong_type_is_refused_before_it_is_sent_naming_the_field_and_the_rule()
    {
        var (client, server) = Client(HttpStatusCode.OK, ValidScore);

        var violation = await Assert.ThrowsAsync<ContractViolationException>(() => client.PostAsJsonAsync(Score, new { amount = "lots" }));

        Assert.Contains(violation.Violations, v => v.Location == "request body /amount" && v.Rule == "type");
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task A_path_the_document_does_not_have_is_refused()
    {
        var (client, _) = Client(HttpStatusCode.OK, ValidScore);

        var violation = await Assert.ThrowsAsync<ContractViolationException>(() => client.PostAsJsonAsync("/v1/score/card", ValidTransaction));

        Assert.Equal("operation", Assert.Single(violation.Violations).Rule);
    }

    [Fact]
    public async Task An_undeclared_status_fails_the_response_naming_the_declared_ones()
    {
        var (client, _) = Client(HttpStatusCode.Conflict, """{"title":"nope"}""", "application/problem+json");

        var violation = await Assert.ThrowsAsync<ContractViolationException>(() => client.PostAsJsonAsync(Score, ValidTransaction));

        var only = Assert.Single(violation.Violations);
        Assert.Equal(("POST /v1/score/transaction", "response 409", "status"), (only.Operation, only.Location, only.Rule));
        Assert.Contains("200", only.Message);
    }

    [Fact]
    public async Task A_response_missing_a_required_field_fails_naming_it()
    {
        var (client, _) = Client(HttpStatusCode.OK, """{"score":12,"riskLevel":"low"}""");

        var violation = await Assert.ThrowsAsync<ContractViolationException>(() => client.PostAsJsonAsync(Score, ValidTransaction));

        Assert.Contains(violation.Violations, v => v.Location == "response 200 body" && v.Rule == "required" && v.Message.Contains("action"));
    }

    [Fact]
    public async Task A_refusal_that_is_not_problem_details_fails_on_its_content_type()
    {
        var (client, _) = Client(HttpStatusCode.BadRequest, "bad", "text/plain");

        var violation = await Assert.ThrowsAsync<ContractViolationException>(() => client.PostAsJsonAsync(Score, ValidTransaction));

        Assert.Equal("content-type", Assert.Single(violation.Violations).Rule);
    }

    [Fact]
    public async Task Bad_input_tests_opt_out_of_the_request_check_only()
    {
        var (client, server) = Client(HttpStatusCode.BadRequest, """{"status":400,"errors":{"body":["Malformed JSON."]}}""", "application/problem+json");
        using var badInput = ContractValidation.AllowInvalidRequests();

        var refused = await client.PostAsync(Score, new StringContent("{ not json", Encoding.UTF8, "application/json"));
        server.Answer(HttpStatusCode.BadRequest, "an HTML error page", "text/html");
        var stillChecked = await Assert.ThrowsAsync<ContractViolationException>(() => client.PostAsync(Score, new StringContent("{", Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("content-type", Assert.Single(stillChecked.Violations).Rule);
        Assert.Equal(2, server.Requests);
    }

    private static (HttpClient Client, StandInServer Server) Client(HttpStatusCode status, string body, string contentType = "application/json")
    {
        var server = new StandInServer(File.ReadAllText(ContractDocuments.CommittedPath("fraud")));
        server.Answer(status, body, contentType);
        return (new HttpClient(new ContractValidatingHandler(new ContractSource(), server)) { BaseAddress = new Uri("http://fraud.test") }, server);
    }

    /// <summary>Serves the document, and answers every other request as told.</summary>
    private sealed class StandInServer(string document) : HttpMessageHandler
    {
        private (HttpStatusCode Status, string Body, string ContentType) answer;

        public int Requests { get; private set; }

        public void Answer(HttpStatusCode status, string body, string contentType) => answer = (status, body, contentType);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == ContractSource.DocumentPath)
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(document, Encoding.UTF8, "application/json") });
            Requests++;
            return Task.FromResult(new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body, Encoding.UTF8, answer.ContentType) });
        }
    }
}
