import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { KeyedSerializer } from "../util/keyed-serializer.js";
import type { CommentState } from "./comment-state.js";
import { REPORT_MARKER, renderComment } from "./render-comment.js";
import type { PullKey, StateSeal } from "./seal-state.js";

export type UpdateOutcome = "created" | "updated" | "unchanged";

/** Pages of 100 comments read at most to find Dockhand's (see `listOurs`). */
export const MAX_COMMENT_PAGES = 50;

/** Turns the PR's current state (undefined: none yet, or none Dockhand can trust) into the next one; undefined writes nothing. */
export type StateChange = (state: CommentState | undefined) => CommentState | undefined;

interface Comment {
  id: number;
  body?: string;
  performed_via_github_app?: { id: number } | null;
}

export interface CommentStoreDependencies {
  /** The app's own id (GET /app), to recognise its comments. */
  appId: () => Promise<number>;
  /** One read-modify-write per PR at a time, across replicas in Redis mode. */
  serializer: KeyedSerializer;
  seal: StateSeal;
}

/**
 * The one way any capability writes the PR comment. Dockhand keeps exactly one comment per PR: a
 * comment counts as Dockhand's only when GitHub says this app wrote it *and* it starts with the
 * marker, so nobody can get Dockhand to edit theirs. Its state is read only from that comment's last
 * line and only when its seal verifies for this PR; anything else is discarded and the comment rebuilt
 * from what the caller knows now.
 */
export class CommentStore {
  constructor(private readonly deps: CommentStoreDependencies) {}

  async update(octokit: Octokit, pull: PullKey, change: StateChange, log: Logger): Promise<UpdateOutcome> {
    return this.deps.serializer.run(`${pull.owner}/${pull.repo}#${pull.number}`, () =>
      this.write(octokit, pull, change, log),
    );
  }

  /**
   * The PR's state as Dockhand's comment holds it, read without the lock and writing nothing: for a
   * decision that needs what the comment remembers before the update that records it.
   */
  async peek(octokit: Octokit, pull: PullKey, log: Logger): Promise<CommentState | undefined> {
    const [canonical] = await this.listOurs(
      octokit,
      { owner: pull.owner, repo: pull.repo, issue_number: pull.number },
      log,
    );
    return canonical?.body === undefined ? undefined : this.read(canonical.body, pull, log);
  }

  private async write(octokit: Octokit, pull: PullKey, change: StateChange, log: Logger): Promise<UpdateOutcome> {
    const target = { owner: pull.owner, repo: pull.repo, issue_number: pull.number };
    const render = (previous: string | undefined) => {
      const next = change(previous === undefined ? undefined : this.read(previous, pull, log));
      return (
        next &&
        renderComment(next, { repository: `${pull.owner}/${pull.repo}` }, (state) => this.deps.seal.seal(state, pull))
      );
    };
    const rewrite = async (comment: Comment): Promise<UpdateOutcome> => {
      const body = render(comment.body ?? "");
      if (body === undefined || body === comment.body) return "unchanged";
      await octokit.rest.issues.updateComment({ owner: pull.owner, repo: pull.repo, comment_id: comment.id, body });
      return "updated";
    };
    const [canonical, ...duplicates] = await this.listOurs(octokit, target, log);
    if (canonical) {
      await this.removeDuplicates(octokit, pull, duplicates, log);
      return rewrite(canonical);
    }
    const first = render(undefined);
    if (first === undefined) return "unchanged";
    const { data: created } = await octokit.rest.issues.createComment({ ...target, body: first });
    // Another replica may have created one at the same moment: the oldest wins and takes our update.
    const [oldest, ...later] = await this.listOurs(octokit, target, log);
    if (oldest && oldest.id !== created.id) {
      await this.removeDuplicates(octokit, pull, later, log);
      await rewrite(oldest);
      return "updated";
    }
    return "created";
  }

  private read(body: string, pull: PullKey, log: Logger): CommentState | undefined {
    const opened = this.deps.seal.open(body, pull);
    if (opened.status === "ok") return opened.state;
    if (opened.status === "rejected")
      log.warn({ pull: pull.number, reason: opened.reason }, "comment state discarded; rebuilding the comment");
    return undefined;
  }

  /**
   * The app's id is asked beside the comments (one round trip, not two, at a process's first delivery).
   * Anyone who can comment on a PR can make its pages many and large (100 comments of 65,536
   * characters a page), so each page keeps only what an app wrote with the marker, and the pages read
   * stop at MAX_COMMENT_PAGES: the marked comment is written at the PR's first report, near the start.
   */
  private async listOurs(
    octokit: Octokit,
    target: { owner: string; repo: string; issue_number: number },
    log: Logger,
  ): Promise<Comment[]> {
    let pages = 0;
    const [appId, comments] = await Promise.all([
      this.deps.appId(),
      octokit.paginate(octokit.rest.issues.listComments, { ...target, per_page: 100 }, (response, done): Comment[] => {
        pages += 1;
        if (pages === MAX_COMMENT_PAGES && /\brel="next"/.test(response.headers.link ?? "")) {
          log.warn(
            { pull: target.issue_number, pages },
            `the PR has more than ${MAX_COMMENT_PAGES * 100} comments; only the first ${MAX_COMMENT_PAGES * 100} are looked through for Dockhand's`,
          );
          done();
        }
        return response.data
          .filter((c) => c.performed_via_github_app && (c.body ?? "").startsWith(REPORT_MARKER))
          .map((c) => ({ id: c.id, body: c.body, performed_via_github_app: c.performed_via_github_app }));
      }),
    ]);
    return comments.filter((c) => c.performed_via_github_app?.id === appId).sort((a, b) => a.id - b.id);
  }

  private async removeDuplicates(octokit: Octokit, pull: PullKey, duplicates: Comment[], log: Logger): Promise<void> {
    for (const duplicate of duplicates) {
      log.info({ commentId: duplicate.id }, "removing duplicate report comment");
      await octokit.rest.issues.deleteComment({ owner: pull.owner, repo: pull.repo, comment_id: duplicate.id });
    }
  }
}
