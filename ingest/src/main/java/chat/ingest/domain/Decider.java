package chat.ingest.domain;

import chat.events.ChannelArchived;
import chat.events.ChannelCreated;
import chat.events.ChannelTopicChanged;
import chat.events.MemberJoined;
import chat.events.MemberLeft;
import chat.events.MessageDeleted;
import chat.events.MessageEdited;
import chat.events.MessagePosted;
import chat.events.ReactionAdded;
import chat.events.ReactionRemoved;
import chat.events.ReadMarked;
import chat.events.TeamCreated;
import chat.events.TeamMemberJoined;
import chat.events.TeamMemberLeft;
import chat.ingest.domain.Command.AddReaction;
import chat.ingest.domain.Command.AddTeamMember;
import chat.ingest.domain.Command.ArchiveChannel;
import chat.ingest.domain.Command.ChangeChannelTopic;
import chat.ingest.domain.Command.CreateChannel;
import chat.ingest.domain.Command.CreateTeam;
import chat.ingest.domain.Command.DeleteMessage;
import chat.ingest.domain.Command.EditMessage;
import chat.ingest.domain.Command.InviteToChannel;
import chat.ingest.domain.Command.JoinChannel;
import chat.ingest.domain.Command.LeaveChannel;
import chat.ingest.domain.Command.MarkRead;
import chat.ingest.domain.Command.PostMessage;
import chat.ingest.domain.Command.RemoveReaction;
import chat.ingest.domain.Command.RemoveTeamMember;
import org.apache.avro.specific.SpecificRecord;

import static chat.ingest.domain.Decision.accept;
import static chat.ingest.domain.Decision.reject;
import static chat.ingest.domain.Decision.unchanged;

/**
 * The write-side rules of the chat domain, as two pure functions:
 * {@link #decide(Command, TeamView)} turns a command and the state it needs into events or a
 * rejection; {@link #evolve(TeamView, SpecificRecord)} folds an event into that state. No I/O.
 *
 * <p>Rules: only team members act in a team; only channel members post, react, edit topics and
 * mark read; only the author edits; the author or a team admin deletes; archived channels take
 * no posts, edits, reactions or joins; private channels are invisible to non-members (their
 * commands answer {@link DomainError#CHANNEL_NOT_FOUND}); commands already in effect (join twice,
 * react twice, delete a deleted message, a retried post with the same clientMessageId) change
 * nothing.
 *
 * <pre>{@code
 * Decision d = Decider.decide(new Command.JoinChannel("bob", "acme", "general"), view);
 * }</pre>
 */
public final class Decider {
    private Decider() {
    }

    public static Decision decide(final Command command, final TeamView s) {
        return switch (command) {
            case CreateTeam c -> s.teamExists() ? reject(DomainError.TEAM_EXISTS, "team " + c.teamId() + " exists")
                    : accept(new TeamCreated(c.name()), new TeamMemberJoined(c.actorId(), Role.ADMIN.wire()));
            case AddTeamMember c -> {
                final Decision refused = requireAdmin(s, c.teamId());
                if (refused != null) {
                    yield refused;
                }
                yield c.role() == s.targetRole() ? unchanged() : accept(new TeamMemberJoined(c.userId(), c.role().wire()));
            }
            case RemoveTeamMember c -> {
                final Decision refused = c.userId().equals(c.actorId()) ? requireTeamMember(s, c.teamId())
                        : requireAdmin(s, c.teamId());
                if (refused != null) {
                    yield refused;
                }
                yield s.targetRole() == null ? unchanged() : accept(new TeamMemberLeft(c.userId()));
            }
            case CreateChannel c -> {
                final Decision refused = requireTeamMember(s, c.teamId());
                if (refused != null) {
                    yield refused;
                }
                if (s.channel() != null) {
                    yield reject(DomainError.CHANNEL_EXISTS, "channel " + c.channelId() + " exists");
                }
                yield accept(new ChannelCreated(c.channelId(), c.name(), c.privateChannel(), c.topic()),
                        new MemberJoined(c.channelId(), c.actorId(), null));
            }
            case ChangeChannelTopic c -> {
                final Decision refused = requireActiveMembership(s, c.teamId(), c.channelId());
                yield refused != null ? refused : accept(new ChannelTopicChanged(c.channelId(), c.topic()));
            }
            case ArchiveChannel c -> {
                final Decision refused = requireVisibleChannel(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                if (s.channel().archived()) {
                    yield unchanged();
                }
                if (s.actorRole() != Role.ADMIN && !c.actorId().equals(s.channel().createdBy())) {
                    yield reject(DomainError.NOT_TEAM_ADMIN, "only a team admin or the channel's creator archives it");
                }
                yield accept(new ChannelArchived(c.channelId()));
            }
            case JoinChannel c -> {
                final Decision refused = requireVisibleChannel(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                if (s.channel().actorIsMember()) {
                    yield unchanged();
                }
                if (s.channel().archived()) {
                    yield reject(DomainError.CHANNEL_ARCHIVED, "channel " + c.channelId() + " is archived");
                }
                yield accept(new MemberJoined(c.channelId(), c.actorId(), null));
            }
            case InviteToChannel c -> {
                final Decision refused = requireActiveMembership(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                if (s.targetRole() == null) {
                    yield reject(DomainError.USER_NOT_TEAM_MEMBER, "user " + c.userId() + " is not a member of the team");
                }
                yield s.channel().targetIsMember() ? unchanged()
                        : accept(new MemberJoined(c.channelId(), c.userId(), c.actorId()));
            }
            case LeaveChannel c -> {
                final Decision refused = requireVisibleChannel(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                yield s.channel().actorIsMember() ? accept(new MemberLeft(c.channelId(), c.actorId())) : unchanged();
            }
            case PostMessage c -> {
                if (s.message() != null && s.message().messageId().equals(c.messageId())) {
                    // Same deterministic id: a retried post (same clientMessageId). Already in the log.
                    yield unchanged();
                }
                final Decision refused = requireActiveMembership(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                String root = null;
                if (c.threadRootId() != null) {
                    final TeamView.Message r = s.threadRoot();
                    if (r == null || !r.channelId().equals(c.channelId()) || r.deleted()) {
                        yield reject(DomainError.THREAD_ROOT_NOT_FOUND, "no message " + c.threadRootId()
                                + " to reply to in channel " + c.channelId());
                    }
                    // A reply to a reply joins the root's thread: threads are one level deep.
                    root = r.threadRootId() != null ? r.threadRootId() : r.messageId();
                }
                yield accept(new MessagePosted(c.channelId(), c.messageId(), c.text(), root, c.clientMessageId()));
            }
            case EditMessage c -> {
                final Decision refused = requireActiveMembership(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                final Decision missing = requireLiveMessage(s, c.channelId(), c.messageId());
                if (missing != null) {
                    yield missing;
                }
                if (!s.message().authorId().equals(c.actorId())) {
                    yield reject(DomainError.NOT_AUTHOR, "only the author edits a message");
                }
                yield accept(new MessageEdited(c.channelId(), c.messageId(), c.text()));
            }
            case DeleteMessage c -> {
                final Decision refused = requireVisibleChannel(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                final TeamView.Message m = s.message();
                if (m == null || !m.channelId().equals(c.channelId())) {
                    yield reject(DomainError.MESSAGE_NOT_FOUND, "no message " + c.messageId() + " in channel " + c.channelId());
                }
                if (m.deleted()) {
                    yield unchanged();
                }
                if (!m.authorId().equals(c.actorId()) && s.actorRole() != Role.ADMIN) {
                    yield reject(DomainError.NOT_AUTHOR, "only the author or a team admin deletes a message");
                }
                yield accept(new MessageDeleted(c.channelId(), c.messageId()));
            }
            case AddReaction c -> {
                if (!Emoji.isValid(c.emoji())) {
                    yield reject(DomainError.INVALID_EMOJI, "not an emoji or shortcode: " + printable(c.emoji()));
                }
                final Decision refused = requireActiveMembership(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                final Decision missing = requireLiveMessage(s, c.channelId(), c.messageId());
                if (missing != null) {
                    yield missing;
                }
                yield s.reactionPresent() ? unchanged() : accept(new ReactionAdded(c.channelId(), c.messageId(), c.emoji()));
            }
            case RemoveReaction c -> {
                if (!Emoji.isValid(c.emoji())) {
                    yield reject(DomainError.INVALID_EMOJI, "not an emoji or shortcode: " + printable(c.emoji()));
                }
                final Decision refused = requireVisibleChannel(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                yield s.reactionPresent() ? accept(new ReactionRemoved(c.channelId(), c.messageId(), c.emoji())) : unchanged();
            }
            case MarkRead c -> {
                final Decision refused = requireVisibleChannel(s, c.teamId(), c.channelId());
                if (refused != null) {
                    yield refused;
                }
                if (!s.channel().actorIsMember()) {
                    yield reject(DomainError.NOT_CHANNEL_MEMBER, "only channel members mark it read");
                }
                final TeamView.Message m = s.message();
                if (m == null || !m.channelId().equals(c.channelId())) {
                    yield reject(DomainError.MESSAGE_NOT_FOUND, "no message " + c.messageId() + " in channel " + c.channelId());
                }
                // A marker never moves backwards: marking read at or before it again is a no-op, not
                // another event (clients mark a channel read every time they show it).
                final boolean covered = m.offset() >= 0 && s.readMarkerOffset() != TeamView.NO_READ_MARKER
                        && m.offset() <= s.readMarkerOffset();
                yield covered ? unchanged() : accept(new ReadMarked(c.channelId(), c.messageId()));
            }
        };
    }

    /**
     * Folds one event of the view's team into the view (the ids it is about must match the
     * view's actor, target, channel or message to change anything).
     */
    public static TeamView evolve(final TeamView s, final String eventActorId, final SpecificRecord payload) {
        return switch (payload) {
            case TeamCreated p -> s.withTeam(true, s.actorRole());
            case TeamMemberJoined p -> {
                TeamView v = s;
                if (p.getUserId().equals(s.actorId())) {
                    v = v.withTeam(v.teamExists(), Role.fromWire(p.getRole()));
                }
                if (p.getUserId().equals(s.targetId())) {
                    v = v.withTargetRole(Role.fromWire(p.getRole()));
                }
                yield v;
            }
            case TeamMemberLeft p -> {
                TeamView v = s;
                if (p.getUserId().equals(s.actorId())) {
                    v = v.withTeam(v.teamExists(), null);
                }
                if (p.getUserId().equals(s.targetId())) {
                    v = v.withTargetRole(null);
                }
                yield v;
            }
            case ChannelCreated p -> s.withChannel(new TeamView.Channel(p.getChannelId(), p.getPrivate$(), false,
                    eventActorId, false, false));
            case ChannelTopicChanged p -> s;
            case ChannelArchived p -> onChannel(s, p.getChannelId(), c -> new TeamView.Channel(c.channelId(),
                    c.privateChannel(), true, c.createdBy(), c.actorIsMember(), c.targetIsMember()));
            case MemberJoined p -> onChannel(s, p.getChannelId(), c -> new TeamView.Channel(c.channelId(),
                    c.privateChannel(), c.archived(), c.createdBy(), c.actorIsMember() || p.getUserId().equals(s.actorId()),
                    c.targetIsMember() || p.getUserId().equals(s.targetId())));
            case MemberLeft p -> onChannel(s, p.getChannelId(), c -> new TeamView.Channel(c.channelId(),
                    c.privateChannel(), c.archived(), c.createdBy(), c.actorIsMember() && !p.getUserId().equals(s.actorId()),
                    c.targetIsMember() && !p.getUserId().equals(s.targetId())));
            case MessagePosted p -> s.withMessage(new TeamView.Message(p.getMessageId(), p.getChannelId(), eventActorId,
                    false, p.getThreadRootId(), -1, -1));
            case MessageEdited p -> s;
            case MessageDeleted p -> s.message() != null && s.message().messageId().equals(p.getMessageId())
                    ? s.withMessage(new TeamView.Message(s.message().messageId(), s.message().channelId(),
                    s.message().authorId(), true, s.message().threadRootId(), s.message().partition(), s.message().offset()))
                    : s;
            case ReactionAdded p -> eventActorId.equals(s.actorId()) ? s.withReaction(true) : s;
            case ReactionRemoved p -> eventActorId.equals(s.actorId()) ? s.withReaction(false) : s;
            case ReadMarked p -> eventActorId.equals(s.actorId()) && s.message() != null && s.message().offset() >= 0
                    && s.message().messageId().equals(p.getMessageId()) && s.message().channelId().equals(p.getChannelId())
                    ? s.withReadMarker(Math.max(s.readMarkerOffset(), s.message().offset())) : s;
            default -> throw new IllegalArgumentException("unknown event " + payload.getSchema().getName());
        };
    }

    private static TeamView onChannel(final TeamView s, final String channelId,
                                      final java.util.function.UnaryOperator<TeamView.Channel> change) {
        return s.channel() != null && s.channel().channelId().equals(channelId) ? s.withChannel(change.apply(s.channel())) : s;
    }

    private static Decision requireTeamMember(final TeamView s, final String teamId) {
        if (!s.teamExists()) {
            return reject(DomainError.TEAM_NOT_FOUND, "no team " + teamId);
        }
        if (s.actorRole() == null) {
            return reject(DomainError.NOT_TEAM_MEMBER, "not a member of team " + teamId);
        }
        return null;
    }

    private static Decision requireAdmin(final TeamView s, final String teamId) {
        final Decision refused = requireTeamMember(s, teamId);
        if (refused != null) {
            return refused;
        }
        return s.actorRole() == Role.ADMIN ? null : reject(DomainError.NOT_TEAM_ADMIN, "only a team admin may do this");
    }

    /** Team member, and the channel exists and is visible to the actor (public, or private and a member). */
    private static Decision requireVisibleChannel(final TeamView s, final String teamId, final String channelId) {
        final Decision refused = requireTeamMember(s, teamId);
        if (refused != null) {
            return refused;
        }
        final TeamView.Channel c = s.channel();
        if (c == null || (c.privateChannel() && !c.actorIsMember())) {
            return reject(DomainError.CHANNEL_NOT_FOUND, "no channel " + channelId + " in team " + teamId);
        }
        return null;
    }

    /** Visible, not archived, and the actor is a channel member. */
    private static Decision requireActiveMembership(final TeamView s, final String teamId, final String channelId) {
        final Decision refused = requireVisibleChannel(s, teamId, channelId);
        if (refused != null) {
            return refused;
        }
        if (s.channel().archived()) {
            return reject(DomainError.CHANNEL_ARCHIVED, "channel " + channelId + " is archived");
        }
        if (!s.channel().actorIsMember()) {
            return reject(DomainError.NOT_CHANNEL_MEMBER, "join channel " + channelId + " first");
        }
        return null;
    }

    private static Decision requireLiveMessage(final TeamView s, final String channelId, final String messageId) {
        final TeamView.Message m = s.message();
        if (m == null || !m.channelId().equals(channelId)) {
            return reject(DomainError.MESSAGE_NOT_FOUND, "no message " + messageId + " in channel " + channelId);
        }
        if (m.deleted()) {
            return reject(DomainError.MESSAGE_DELETED, "message " + messageId + " was deleted");
        }
        return null;
    }

    private static String printable(final String s) {
        if (s == null) {
            return "nothing";
        }
        return s.length() > 40 ? s.length() + " characters" : "'" + s.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
