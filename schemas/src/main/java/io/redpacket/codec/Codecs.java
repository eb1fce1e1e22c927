package io.redpacket.codec;

import io.redpacket.avro.AuditResult;
import io.redpacket.avro.DeadLetter;
import io.redpacket.avro.Grant;
import io.redpacket.avro.GrantState;
import io.redpacket.avro.LedgerEntry;
import io.redpacket.avro.Open;
import io.redpacket.avro.OpenResult;
import io.redpacket.avro.PoolDefinition;
import io.redpacket.avro.PoolStatus;
import io.redpacket.avro.Shake;
import io.redpacket.avro.ShakeOutcome;
import io.redpacket.avro.ShareGrant;
import io.redpacket.avro.ShareRequest;
import io.redpacket.avro.ShareResult;
import io.redpacket.avro.ShareState;
import io.redpacket.avro.Wallet;

/** One codec per record type: the only way records go on and come off the wire. */
public final class Codecs {
  public static final AvroCodec<PoolDefinition> POOL = new AvroCodec<>(PoolDefinition.class);
  public static final AvroCodec<Shake> SHAKE = new AvroCodec<>(Shake.class);
  public static final AvroCodec<ShakeOutcome> OUTCOME = new AvroCodec<>(ShakeOutcome.class);
  public static final AvroCodec<Grant> GRANT = new AvroCodec<>(Grant.class);
  public static final AvroCodec<PoolStatus> POOL_STATUS = new AvroCodec<>(PoolStatus.class);
  public static final AvroCodec<DeadLetter> DEAD_LETTER = new AvroCodec<>(DeadLetter.class);
  public static final AvroCodec<Open> OPEN = new AvroCodec<>(Open.class);
  public static final AvroCodec<OpenResult> OPEN_RESULT = new AvroCodec<>(OpenResult.class);
  public static final AvroCodec<LedgerEntry> LEDGER = new AvroCodec<>(LedgerEntry.class);
  public static final AvroCodec<Wallet> WALLET = new AvroCodec<>(Wallet.class);
  public static final AvroCodec<GrantState> GRANT_STATE = new AvroCodec<>(GrantState.class);
  public static final AvroCodec<ShareRequest> SHARE_REQUEST = new AvroCodec<>(ShareRequest.class);
  public static final AvroCodec<ShareResult> SHARE_RESULT = new AvroCodec<>(ShareResult.class);
  public static final AvroCodec<ShareGrant> SHARE_GRANT = new AvroCodec<>(ShareGrant.class);
  public static final AvroCodec<ShareState> SHARE_STATE = new AvroCodec<>(ShareState.class);
  public static final AvroCodec<AuditResult> AUDIT_RESULT = new AvroCodec<>(AuditResult.class);

  private Codecs() {}
}
