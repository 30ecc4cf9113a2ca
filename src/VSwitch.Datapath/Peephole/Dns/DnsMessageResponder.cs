using VSwitch.Datapath.Tables;
using VSwitch.Datapath.Counters;

namespace VSwitch.Datapath.Peephole.Dns;

/// <summary>
/// Answers one DNS message (no frame around it) from the tables, into a buffer of its own: the
/// slow path's use, for queries that reach the switch's DNS address over TCP or that the datapath
/// did not answer. The same decisions and the same writer as <see cref="DnsResponder"/>.
/// </summary>
public static class DnsMessageResponder
{
    /// <summary>Writes the answer to <paramref name="query"/> into <paramref name="reply"/>.</summary>
    /// <param name="query">The DNS message as received.</param>
    /// <param name="reply">Where the reply goes; its length bounds the reply too.</param>
    /// <param name="tables">The tenant's snapshot.</param>
    /// <param name="limit">The most bytes the transport takes (65535 over TCP); an answer over it is truncated (TC=1).</param>
    /// <param name="udp">Over UDP the client's own limit applies too: 512 bytes, or its EDNS size if larger.</param>
    /// <param name="length">The reply's length; 0 when the tables do not answer the query.</param>
    /// <returns>The outcome, as the datapath counts it (a forwarding outcome when <paramref name="length"/> is 0).</returns>
    public static DnsOutcome Answer(ReadOnlySpan<byte> query, Span<byte> reply, PeepholeTables tables, int limit, bool udp, out int length)
    {
        length = 0;
        DnsOutcome? refused = DnsQuery.TryRead(query, out DnsQuery q);
        if (refused is not null) return refused.Value;
        DnsAnswerPlan plan = DnsAnswerPlan.For(q, tables);
        if (!DnsOutcomes.IsReply(plan.Outcome)) return plan.Outcome;

        limit = Math.Min(limit, reply.Length);
        if (udp) limit = Math.Min(limit, DnsAnswerPlan.UdpLimit(q));
        int dnsLength = plan.ReplyLength(q, limit, out bool truncated);
        if (dnsLength < 0) return DnsOutcome.TooBig;
        query[..q.QuestionEnd].CopyTo(reply);
        DnsResponder.WriteMessage(reply[..dnsLength], q.QuestionEnd, q.Flags, plan, tables.Settings, q.HasOpt, q.HasOpt && q.DnssecOk,
            plan.Outcome == DnsOutcome.BadVersion, truncated);
        length = dnsLength;
        return truncated ? DnsOutcome.Truncated : plan.Outcome;
    }

    /// <summary>RCODEs of the error replies the slow path writes (RFC 1035 4.1.1).</summary>
    public const int ServFail = 2, Refused = 5;

    /// <summary>Writes an error reply (<see cref="Refused"/>, <see cref="ServFail"/>) to <paramref name="query"/>:
    /// its header and question, QR set, no records.</summary>
    /// <returns>The reply's length, or 0 when the message is no query to reply to (shorter than a header, or a response).</returns>
    public static int Error(ReadOnlySpan<byte> query, Span<byte> reply, int rcode)
    {
        if (query.Length < DnsQuery.HeaderLength || (query[2] & 0x80) != 0 || reply.Length < DnsQuery.HeaderLength) return 0;
        // The question goes back when it can be read; otherwise the header alone, with no question.
        int questions = DnsName.TryMeasure(query, DnsQuery.HeaderLength, out int nameLength) &&
            DnsQuery.HeaderLength + nameLength + 4 <= query.Length && query[4] == 0 && query[5] >= 1 ? 1 : 0;
        int length = questions == 1 ? DnsQuery.HeaderLength + nameLength + 4 : DnsQuery.HeaderLength;
        if (length > reply.Length) return 0;
        query[..length].CopyTo(reply);
        reply[2] = (byte)(0x80 | (query[2] & 0x79));   // QR, the opcode and RD as asked; AA and TC clear
        reply[3] = (byte)(query[3] & 0x10 | rcode);     // CD as asked, RA clear, the RCODE
        reply[4] = 0;
        reply[5] = (byte)questions;
        reply[6..12].Clear();
        return length;
    }
}
