import { InitialSchema1764230400000 } from './1764230400000-initial-schema';
import { UsersUpvotesTrending1764316800000 } from './1764316800000-users-upvotes-trending';
import { Harvests1764403200000 } from './1764403200000-harvests';
import { EventsInterestsFeeds1764489600000 } from './1764489600000-events-interests-feeds';
import { Subscriptions1764576000000 } from './1764576000000-subscriptions';
import { UserProfiles1764662400000 } from './1764662400000-user-profiles';
import { PaperChanges1764748800000 } from './1764748800000-paper-changes';
import { FeedInputsVersion1764835200000 } from './1764835200000-feed-inputs-version';
import { Hardening1764921600000 } from './1764921600000-hardening';
import { PaperDoiTitleKey1765008000000 } from './1765008000000-paper-doi-title-key';
import { PaperTerms1765094400000 } from './1765094400000-paper-terms';

/** Every migration, oldest first. */
export const MIGRATIONS = [
  InitialSchema1764230400000,
  UsersUpvotesTrending1764316800000,
  Harvests1764403200000,
  EventsInterestsFeeds1764489600000,
  Subscriptions1764576000000,
  UserProfiles1764662400000,
  PaperChanges1764748800000,
  FeedInputsVersion1764835200000,
  Hardening1764921600000,
  PaperDoiTitleKey1765008000000,
  PaperTerms1765094400000,
];
