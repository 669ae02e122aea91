/** Why the server ends a stream: the token that opened it was revoked, or the server is shutting down. */
export type StreamEnd = 'revoked' | 'shutdown';

/** What the server sends as a stream's last event (`event: closed`), for each reason it ends one. */
export const STREAM_CLOSINGS: Readonly<Record<StreamEnd, { code?: string; message: string }>> = {
  revoked: { code: 'SRV_ERR_AUTH_REQUIRED', message: 'the token that opened this stream was revoked' },
  shutdown: { message: 'the server is shutting down; open the stream again (on any instance)' },
};

/** The event streams this instance holds open, by the id of the operator token that opened each. */
export class OpenStreams {
  private readonly byToken = new Map<string, Set<(why: StreamEnd) => void>>();

  /** Records a stream and how to end it; returns the function that forgets it once it has ended. */
  add(tokenId: string, end: (why: StreamEnd) => void): () => void {
    let streams = this.byToken.get(tokenId);
    if (!streams) {
      streams = new Set();
      this.byToken.set(tokenId, streams);
    }
    const mine = streams;
    mine.add(end);
    return () => {
      mine.delete(end);
      if (mine.size === 0 && this.byToken.get(tokenId) === mine) this.byToken.delete(tokenId);
    };
  }

  /** Ends every stream a token opened, because it was revoked; returns how many. */
  endFor(tokenId: string): number {
    return this.end(tokenId, 'revoked');
  }

  /** Ends every stream, because the server is shutting down. */
  endAll(): void {
    for (const tokenId of [...this.byToken.keys()]) this.end(tokenId, 'shutdown');
  }

  private end(tokenId: string, why: StreamEnd): number {
    const streams = [...(this.byToken.get(tokenId) ?? [])];
    for (const end of streams) end(why);
    return streams.length;
  }
}
